"""The upload path's database round trips, counted on the real view (in-process): a clean
report of a device costs a fixed, small number of statements, none of them a deferred-field
reload of the device row."""

from __future__ import annotations

import gzip

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.collector.factories import make_identity, make_report


def _upload(token: str, report) -> tuple[int, list[str]]:
    from collector_server.reports import api as views

    body = gzip.compress(report.model_dump_json().encode())
    request = RequestFactory().generic(
        "POST",
        "/api/v1/reports",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_CONTENT_ENCODING="gzip",
    )
    with CaptureQueriesContext(connection) as ctx:
        response = views.reports(request)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


def test_upload_does_not_reload_deferred_device_fields(django_dbs):
    from collector_server.ledger.models import EnrollmentToken, Organisation
    from collector_server.ledger.services import enroll_device

    org = Organisation.objects.create(name="queries-school", kind="school")
    _, plain = EnrollmentToken.issue(org)
    identity = make_identity("queries-1")
    _, token, _ = enroll_device(plain, identity)
    assert _upload(token, make_report(identity, seed=1))[0] == 201
    status, sql = _upload(token, make_report(identity, seed=2, findings=2))
    assert status == 201
    device_selects = [
        s
        for s in sql
        if s.lstrip().upper().startswith("SELECT")
        and "ledger_device" in s
        and "ledger_devicetoken" not in s
    ]
    assert device_selects == [], device_selects
    # token+device, savepoint/insert report, findings, device update (+ begin/commit)
    assert len(sql) <= 8, sql
