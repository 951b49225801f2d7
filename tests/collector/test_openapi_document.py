"""The OpenAPI document comes from the route table and the wire models: it names every
route the URLs serve, and every answer's schema refuses fields it does not describe (so the
schemathesis test's response checks catch a collector that sends an undescribed field)."""

from __future__ import annotations

import re

from django.urls import resolve
from django.utils.module_loading import import_string

from agent.wire import api as wire
from collector_server.openapi import openapi_spec
from collector_server.routes import ROUTES


def _sample(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: "7" if m.group(1).endswith("_id") else "v1", path)


def test_every_documented_path_is_served_by_its_view(django_dbs):
    spec = openapi_spec()
    documented = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    expected = set()
    for route in ROUTES:
        if not route.documented:
            continue
        url = "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.path)
        expected.add((url, route.method))
        match = resolve(_sample(url))
        assert match.func is import_string(route.view), url
        assert match.namespace == "api" and match.url_name == route.name
    assert documented == expected


def test_answers_describe_what_is_sent():
    schemas = openapi_spec()["components"]["schemas"]
    # the drift of the hand-written document: sent since enrollment answers carried it
    assert "signing_public_key" in schemas["EnrollAnswer"]["required"]
    assert "signing_public_key" in schemas["AgentConfig"]["required"]
    for model in wire.ANSWERS:
        assert schemas[model.__name__]["additionalProperties"] is False, model.__name__
    statuses = {
        code
        for ops in openapi_spec()["paths"].values()
        for op in ops.values()
        for code in op["responses"]
    }
    assert {"200", "201", "401", "404", "409", "422", "503"} <= statuses


def test_upload_answer_is_the_one_the_collector_sends():
    answer = wire.UploadAnswer(
        report_id="6f1c1c9e-1d7f-4c53-9d56-0a4c1bb1f1a0", device_id=3, verdict="clean", findings=0
    ).json_body()
    assert answer == {
        "status": "accepted",
        "report_id": "6f1c1c9e-1d7f-4c53-9d56-0a4c1bb1f1a0",
        "device_id": 3,
        "verdict": "clean",
        "findings": 0,
    }
    assert wire.Error(error="busy", detail="later").json_body() == {
        "error": "busy",
        "detail": "later",
    }
