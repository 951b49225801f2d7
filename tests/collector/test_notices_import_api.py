"""Notice lists imported from XLSX/CSV (Chinese headers, dry run then apply), the notices
API (bearer token or session) and the `notice` management command, over the real server."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from openpyxl import Workbook

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import csrf_token, seed_county

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def county(server):
    county = seed_county(server)
    identity = make_identity(f"notice-import-{secrets.token_hex(3)}")
    token = server.enrolled(county.school_a, identity)
    assert server.upload(token, make_report(identity, findings=1)).status_code == 201
    return county


def _notices(server, number: str):
    from collector_server.notices.models import Notice

    return Notice.objects.using(server.alias).filter(number=number)


def _upload(server, session, name: str, content: bytes, **fields) -> requests.Response:
    page = server.url("/notices/import/")
    token = csrf_token(session, page)
    return session.post(
        page,
        data={"csrfmiddlewaretoken": token, "source": "other", "number": "", **fields},
        files={"file": (name, content)},
        headers={"Referer": page},
        allow_redirects=False,
        timeout=60,
    )


def _confirm(server, session) -> requests.Response:
    page = server.url("/notices/import/")
    return session.post(
        page,
        data={"csrfmiddlewaretoken": csrf_token(session, page), "action": "confirm"},
        headers={"Referer": page},
        allow_redirects=False,
        timeout=60,
    )


def test_csv_notice_list_dry_run_then_apply(server, county):
    number = f"浙公网安-{secrets.token_hex(2)}"
    text = (
        "序号,IP地址,域名,端口,发现时间,通报单位,通报编号\n"
        f"1,198.51.100.7,,3333,2026-11-28 10:00 至 2026-11-29 18:00,省公安厅网安总队,{number}\n"
        f"2,,pool.example,,2026/11/28 10:00,省公安厅网安总队,{number}\n"
    )
    session = county.sessions["bureau"]
    org = str(county.bureau.pk)
    preview = _upload(server, session, "通报清单.csv", text.encode("gb18030"), organisation=org)
    assert preview.status_code == 200 and "198.51.100.7" in preview.text
    assert not _notices(server, number).exists()  # a dry run changes nothing
    assert _confirm(server, session).status_code == 302
    notice = _notices(server, number).get()
    assert notice.source == "police"
    values = {(i.value, i.port) for i in notice.indicators.all()}
    assert values == {("198.51.100.7", 3333), ("pool.example", None)}
    window = notice.indicators.get(value="198.51.100.7")
    assert window.observed_from.day == 28 and window.observed_to.day == 29
    assert {c.organisation_id for c in notice.cases.all()} == {county.school_a.pk}
    assert _confirm(server, session).status_code == 302  # nothing stored: expired
    assert _notices(server, number).count() == 1


def test_xlsx_notice_list_with_header_variants_and_row_errors(server, county):
    session = county.sessions["bureau"]
    wb = Workbook()
    ws = wb.active
    ws.append(["序号", "公网IP", "矿池域名", "目的端口", "监测时间"])
    ws.append([1, "192.0.2.10", "", 4444, "2026-11-28 10:00"])
    ws.append([2, "not-an-ip!", "", "", ""])
    ws.append([3, "192.0.2.11", "", "99999", ""])
    buf = io.BytesIO()
    wb.save(buf)
    number = f"网信-{secrets.token_hex(2)}"
    preview = _upload(
        server,
        session,
        "list.xlsx",
        buf.getvalue(),
        organisation=str(county.bureau.pk),
        number=number,
        source="cyberspace",
    )
    assert preview.status_code == 200
    assert "not-an-ip!" in preview.text and "99999" in preview.text
    assert 'data-testid="confirm"' not in preview.text
    assert not _notices(server, number).exists()
    ws.delete_rows(3, 2)
    buf = io.BytesIO()
    wb.save(buf)
    _upload(
        server,
        session,
        "list.xlsx",
        buf.getvalue(),
        organisation=str(county.bureau.pk),
        number=number,
        source="cyberspace",
    )
    assert _confirm(server, session).status_code == 302
    notice = _notices(server, number).get()
    assert notice.source == "cyberspace"
    assert [(i.value, i.port) for i in notice.indicators.all()] == [("192.0.2.10", 4444)]
    # a file without an address column is refused as a whole
    bad = _upload(
        server,
        session,
        "x.csv",
        "序号,备注\n1,x\n".encode(),
        organisation=str(county.bureau.pk),
        number="n",
    )
    assert "IP地址" in bad.text and 'data-testid="confirm"' not in bad.text
    # school staff cannot import
    school = county.sessions["school_a"]
    assert school.get(server.url("/notices/import/"), timeout=30).status_code == 403


def test_api_register_with_token_and_list_cases(server, county):
    from collector_server.notices.models import ApiToken

    bureau_user = county.users["bureau"][0]
    _row, token = ApiToken.issue(bureau_user, using=server.alias)
    auth = {"Authorization": f"Bearer {token}"}
    number = f"api-{secrets.token_hex(2)}"
    body = {
        "source": "province",
        "number": number,
        "received_at": "2026-12-01T08:00:00+08:00",
        "indicators": [
            {"value": "198.51.100.7", "port": 3333, "observed_from": "2026-11-01T00:00:00+08:00"},
            {"value": "Pool.Example"},
        ],
    }
    created = requests.post(server.url("/notices/api/notices"), json=body, headers=auth, timeout=30)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["indicators"] == ["198.51.100.7:3333", "pool.example"]
    assert [c["organisation"]["id"] for c in data["cases"]] == [county.school_a.pk]
    case = data["cases"][0]
    assert case["state"] == "received" and case["locate_due"] > case["received_at"]
    listed = requests.get(server.url("/notices/api/cases"), headers=auth, timeout=30).json()
    assert case["id"] in {c["id"] for c in listed["results"]}
    # bad input is a 400 with a reason, no notice stored
    for bad in (
        {**body, "indicators": []},
        {**body, "source": "nope"},
        {**body, "indicators": [{"value": "x y"}]},
        {**body, "indicators": [{"value": "192.0.2.1", "port": 70000}]},
    ):
        answer = requests.post(
            server.url("/notices/api/notices"), json=bad, headers=auth, timeout=30
        )
        assert answer.status_code == 400, (bad, answer.text)
    assert (
        requests.post(
            server.url("/notices/api/notices"), data=b"{", headers=auth, timeout=30
        ).status_code
        == 400
    )
    assert _notices(server, number).count() == 1
    # no token, a wrong token, a school's session: refused
    assert requests.get(server.url("/notices/api/cases"), timeout=30).status_code == 401
    assert (
        requests.get(
            server.url("/notices/api/cases"), headers={"Authorization": "Bearer nope"}, timeout=30
        ).status_code
        == 401
    )
    school = county.sessions["school_a"]
    assert school.get(server.url("/notices/api/cases"), timeout=30).status_code == 200
    refused = school.post(server.url("/notices/api/notices"), json=body, timeout=30)
    assert refused.status_code == 403  # session POST without the CSRF token
    page = server.url("/notices/cases/")
    with_csrf = school.post(
        server.url("/notices/api/notices"),
        json=body,
        timeout=30,
        headers={"X-CSRFToken": csrf_token(school, page), "Referer": page},
    )
    assert with_csrf.status_code == 403 and with_csrf.json()["error"] == "forbidden"


def test_notice_command_import_dry_run_and_list(server, county, django_dbs, tmp_path):
    info = django_dbs[server.alias]
    env = {**os.environ, "MINECHECK_DATA": str(info["data"])}
    env.pop("DATABASE_URL", None)
    if info["database_url"]:
        env["DATABASE_URL"] = info["database_url"]
    number = f"cmd-{secrets.token_hex(2)}"
    path = tmp_path / "notice.csv"
    path.write_text(
        f"序号,IP地址,端口,通报编号\n1,198.51.100.7,3333,{number}\n", encoding="utf-8-sig"
    )

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "collector_server.cli",
                "manage",
                "--data",
                str(info["data"]),
                "notice",
                *args,
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    org = str(county.bureau.pk)
    dry = run("import", str(path), "--org", org, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run" in dry.stdout and not _notices(server, number).exists()
    real = run("import", str(path), "--org", org)
    assert real.returncode == 0, real.stderr
    assert "opened 1 case(s)" in real.stdout
    listing = run("list")
    assert listing.returncode == 0 and number in listing.stdout
    assert county.school_a.name in listing.stdout and "locate by" in listing.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("IP地址\nnonsense value\n", encoding="utf-8")
    failed = run("import", str(bad), "--org", org, "--number", "z")
    assert failed.returncode != 0 and "row 2" in failed.stderr
    server.org("另一县教育局", kind="county")  # two top organisations: --org is needed
    no_org = run("import", str(path), "--dry-run")
    assert no_org.returncode != 0 and "--org" in no_org.stderr
