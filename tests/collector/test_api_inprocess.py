"""API behaviour that needs a controlled server state: overload (503 + Retry-After) and the
upload's source address behind trusted proxies."""

from __future__ import annotations

import gzip
import zlib

import pytest
from django.test import RequestFactory, override_settings

from tests.collector.factories import make_identity, make_report


@pytest.fixture
def device_token(django_dbs) -> str:
    from collector_server.ledger.models import EnrollmentToken, Organisation
    from collector_server.ledger.services import enroll_device

    org = Organisation.objects.create(
        name=f"overload-{Organisation.objects.count()}", kind="school"
    )
    _, plain = EnrollmentToken.issue(org)
    _, token, _ = enroll_device(plain, make_identity(f"inproc-{org.pk}"))
    return token


def test_overload_answers_503_with_retry_after(device_token):
    from collector_server.reports import api as views

    report = make_report(make_identity("inproc-none"))
    request = RequestFactory().post(
        "/api/v1/reports",
        data=report.model_dump_json(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {device_token}",
    )
    taken = 0
    while views._ingest_slots.acquire(blocking=False):
        taken += 1
    try:
        response = views.reports(request)
    finally:
        for _ in range(taken):
            views._ingest_slots.release()
    assert taken >= 1
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0


@override_settings(MINECHECK_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_forwarded_address_only_from_trusted_proxies():
    from collector_server.http.body import client_address

    rf = RequestFactory()
    via_proxy = rf.post(
        "/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9, 10.9.9.9"
    )
    assert client_address(via_proxy) == "203.0.113.9"
    direct = rf.post("/", REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(direct) == "198.51.100.20"
    garbage = rf.post("/", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_address(garbage) is None


def test_body_reader_limits_and_encodings(django_dbs):
    from collector_server.http.body import BodyError, read_body_keep

    rf = RequestFactory()
    payload = b'{"a": "' + b"x" * 5000 + b'"}'
    gz = gzip.compress(payload)
    body, kept = read_body_keep(
        rf.post("/", data=gz, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"),
        limit=10_000,
    )
    assert body == payload and kept == gz
    body, kept = read_body_keep(
        rf.post(
            "/",
            data=zlib.compress(payload),
            content_type="application/json",
            HTTP_CONTENT_ENCODING="deflate",
        ),
        limit=10_000,
    )
    assert body == payload and kept is None
    with pytest.raises(BodyError) as too_big:
        read_body_keep(
            rf.post("/", data=gz, content_type="application/json", HTTP_CONTENT_ENCODING="gzip"),
            limit=4_000,
        )
    assert too_big.value.status == 413
    with pytest.raises(BodyError) as truncated:
        read_body_keep(
            rf.post(
                "/", data=gz[:-10], content_type="application/json", HTTP_CONTENT_ENCODING="gzip"
            ),
            limit=10_000,
        )
    assert truncated.value.status == 400 and "truncated" in truncated.value.message
    with pytest.raises(BodyError) as unknown:
        read_body_keep(
            rf.post("/", data=payload, content_type="application/json", HTTP_CONTENT_ENCODING="br"),
            limit=10_000,
        )
    assert unknown.value.status == 415
