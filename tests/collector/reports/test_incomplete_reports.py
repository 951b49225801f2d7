"""An `incomplete` report (detection did not fully run) is "not checked" (检查未完成) on every
page and export, never clean, and never clears an earlier mining/suspicious verdict."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import seed_county


@pytest.fixture(scope="module")
def county(server):
    return seed_county(server, per_school=1)


def _count(html: str, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}">(\d+)<', html).group(1))


def test_an_incomplete_report_is_not_checked_everywhere(server, county):
    school = server.org("未完成学校", parent=county.bureau)
    user, password = server.user("school_staff", school)
    session = server.login(user.username, password)  # its own scope: no cached overview
    identity = make_identity(f"incomplete-{school.pk}-{server.backend}")
    token = server.enrolled(school, identity)
    assert server.upload(token, make_report(identity, verdict="incomplete")).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    assert device.last_verdict == "incomplete"

    overview = session.get(server.url("/"), timeout=30).text
    assert _count(overview, "n-incomplete") == 1
    assert _count(overview, "n-clean") == 0
    page = session.get(server.url(f"/devices/{device.pk}/"), timeout=30).text
    assert '<span class="verdict incomplete">检查未完成</span>' in page
    listed = session.get(
        server.url(f"/ledger/?verdict=incomplete&org={school.pk}"), timeout=30
    ).text
    assert f'href="/devices/{device.pk}/"' in listed
    clean = session.get(server.url(f"/ledger/?verdict=clean&org={school.pk}"), timeout=30).text
    assert f'href="/devices/{device.pk}/"' not in clean
    export = session.get(server.url(f"/ledger/export.xlsx?org={school.pk}"), timeout=60)
    ws = load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    column = rows[0].index("检查结论")
    assert [r[column] for r in rows[1:]] == ["检查未完成"]


@pytest.mark.parametrize("earlier", ["mining", "suspicious"])
def test_an_incomplete_report_does_not_clear_an_earlier_finding(server, county, earlier):
    school = server.org(f"先前{earlier}", parent=county.bureau)
    identity = make_identity(f"keep-{earlier}-{school.pk}-{server.backend}")
    token = server.enrolled(school, identity)
    first = datetime.now(timezone.utc) - timedelta(hours=2)
    flagged = make_report(identity, findings=1, verdict=earlier, started_at=first)
    assert server.upload(token, flagged).status_code == 201
    later = make_report(identity, verdict="incomplete", started_at=first + timedelta(hours=1))
    assert server.upload(token, later).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    assert device.last_verdict == earlier
    assert str(device.last_report_id) == str(later.report_id)  # the newest report is known
    # a later complete, clean check does clear it
    clean = make_report(
        identity, verdict="clean", started_at=first + timedelta(hours=1, minutes=30)
    )
    assert server.upload(token, clean).status_code == 201
    assert server.devices().get(fingerprint=identity.fingerprint).last_verdict == "clean"
