"""The OpenAPI 3 document of the agent API, generated from the route table
(collector_server/routes.py) and the wire models' JSON schemas (pydantic)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from agent.wire.api import API_VERSION
from agent.wire.report import SCHEMA_VERSION
from collector_server.routes import ROUTES, Route, openapi_path

REF = "#/components/schemas/{model}"
SECURITY_SCHEMES = {
    "deviceToken": {
        "type": "http",
        "scheme": "bearer",
        "description": "per-device token returned by /api/v1/enroll",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "a dashboard user's session (/accounts/login/)",
    },
}


def _models() -> list[tuple[type[BaseModel], str]]:
    """Every model the document names: requests as validated, answers as serialised."""
    seen: dict[tuple[type[BaseModel], str], None] = {}
    for route in ROUTES:
        if not route.documented:
            continue
        if route.request is not None:
            seen[(route.request, "validation")] = None
        for answer in route.answers.values():
            if answer.model is not None:
                seen[(answer.model, "serialization")] = None
    return list(seen)


def _operation(route: Route, refs: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": route.summary}
    if route.description:
        op["description"] = route.description
    if route.security:
        op["security"] = [{route.security: []}]
    _, path_params = openapi_path(route)
    params = [*route.parameters, *path_params]
    if params:
        op["parameters"] = params
    if route.request is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(route.request, "validation")]}},
        }
    op["responses"] = {}
    for status, answer in sorted(route.answers.items()):
        content = (
            {answer.media: {}}
            if answer.model is None
            else {answer.media: {"schema": refs[(answer.model, "serialization")]}}
        )
        op["responses"][str(status)] = {"description": answer.description, "content": content}
    return op


@lru_cache(maxsize=1)
def openapi_spec() -> dict[str, Any]:
    """The document /api/v1/openapi.json serves."""
    refs, schemas = models_json_schema(_models(), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        if route.documented:
            url, _ = openapi_path(route)
            paths.setdefault(url, {})[route.method] = _operation(route, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "minecheck collector agent API",
            "version": str(API_VERSION),
            "description": (
                "JSON API between the minecheck agent and the collector. Uploads are the "
                f"agent's Report model (schema_version {SCHEMA_VERSION}), optionally gzip "
                "(Content-Encoding: gzip). Uploads are idempotent by report_id. Requests and "
                "answers are the models of agent/wire (agent.wire.api for the answers)."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": schemas.get("$defs", {})},
        "paths": paths,
    }


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_spec(), json_dumps_params={"ensure_ascii": False})


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    spec = openapi_spec()
    return render(
        request,
        "web/api_docs.html",
        {
            "spec": spec,
            "spec_json": json.dumps(spec, ensure_ascii=False, indent=2),
            "operations": [
                {"path": p, "method": m.upper(), **op}
                for p, methods in spec["paths"].items()
                for m, op in methods.items()
            ],
        },
    )
