"""Notices and cases over the real server (HTTP on loopback), SQLite and PostgreSQL: register
by form, match, role scoping (404 for another school), the case workflow with its history,
the written report as DOCX/PDF, deadline flags, publishing, blocklists, the upward list."""

from __future__ import annotations

import gzip
import io
import re
import secrets
import tarfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from django.utils import timezone

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import csrf_token, post_form, seed_county


@dataclass
class World:
    county: object
    school_b_session: requests.Session
    device: object  # enrolled in school A, uploaded a mining report naming the pool
    token: str
    identity: object
    pool_ip: str
    egress_net: str


@pytest.fixture(scope="module")
def world(server) -> World:
    from collector_server.ledger.models import EgressLine

    county = seed_county(server)
    user_b, password_b = server.user("school_staff", county.school_b)
    pool_ip = "198.51.100.7"  # the factory finding's remote address (pool.example:3333)
    egress_net = "203.0.113.0/29"
    EgressLine.objects.using(server.alias).create(
        organisation=county.school_b, isp="电信", addresses=egress_net
    )
    identity = make_identity(f"notices-{secrets.token_hex(3)}")
    token = server.enrolled(county.school_a, identity)
    assert server.upload(token, make_report(identity, findings=1)).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    return World(
        county,
        server.login(user_b.username, password_b),
        device,
        token,
        identity,
        pool_ip,
        egress_net,
    )


def register(
    server, session, number: str, indicators: list[tuple[str, str]], org=None
) -> requests.Response:
    page = server.url("/notices/new/")
    data = {
        "source": "police",
        "number": number,
        "received_at": "2026-12-01T09:00",
        "note": "",
        "ind-TOTAL_FORMS": "3",
        "ind-INITIAL_FORMS": "0",
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "1000",
    }
    if org is not None:
        data["organisation"] = str(org.pk)
    else:
        match = re.search(r'<option value="(\d+)" selected>', session.get(page, timeout=30).text)
        data["organisation"] = match.group(1)
    for i, (value, port) in enumerate(indicators):
        data[f"ind-{i}-value"], data[f"ind-{i}-port"] = value, port
    return post_form(session, page, page, data)


def notice_id(response: requests.Response) -> int:
    assert response.status_code == 302, response.text[:2000]
    return int(re.search(r"/notices/(\d+)/$", response.headers["Location"]).group(1))


def cases_of(server, notice_pk: int) -> dict[int, object]:
    from collector_server.notices.models import Case

    return {
        c.organisation_id: c for c in Case.objects.using(server.alias).filter(notice_id=notice_pk)
    }


def test_register_by_form_matches_school_device_and_egress_line(server, world):
    bureau = world.county.sessions["bureau"]
    pk = notice_id(
        register(
            server,
            bureau,
            f"公网安-{secrets.token_hex(2)}",
            [(world.pool_ip, "3333"), ("203.0.113.5", "")],
        )
    )
    cases = cases_of(server, pk)
    assert set(cases) == {world.county.school_a.pk, world.county.school_b.pk}
    page = bureau.get(server.url(f"/notices/{pk}/"), timeout=30)
    assert page.status_code == 200
    matches = page.text.split('data-testid="matches"')[1].split("</table>")[0]
    assert world.device.hostname in matches and "203.0.113.0/29" in matches
    assert world.county.school_a.name in matches and world.county.school_b.name in matches
    # a bad indicator is refused with the form shown again, nothing registered
    bad = register(server, bureau, "bad", [("not an address!", "")])
    assert bad.status_code == 200 and "errorlist" in bad.text
    # school staff may not register notices
    school = world.county.sessions["school_a"]
    assert school.get(server.url("/notices/new/"), timeout=30).status_code == 403
    refused = post_form(
        school,
        server.url("/notices/cases/"),
        server.url("/notices/new/"),
        {
            "source": "police",
            "number": "x",
            "received_at": "2026-12-01T09:00",
            "organisation": str(world.county.school_a.pk),
            "ind-TOTAL_FORMS": "1",
            "ind-INITIAL_FORMS": "0",
            "ind-0-value": world.pool_ip,
        },
    )
    assert refused.status_code == 403


def test_school_b_never_sees_school_a_notice_or_case(server, world):
    bureau = world.county.sessions["bureau"]
    pk = notice_id(
        register(server, bureau, f"only-a-{secrets.token_hex(2)}", [("pool.example", "")])
    )
    cases = cases_of(server, pk)
    assert set(cases) == {world.county.school_a.pk}
    case_a = cases[world.county.school_a.pk]
    b = world.school_b_session
    for path in (
        f"/notices/{pk}/",
        f"/notices/cases/{case_a.pk}/",
        f"/notices/cases/{case_a.pk}/report.docx",
        f"/notices/cases/{case_a.pk}/report.pdf",
    ):
        assert b.get(server.url(path), timeout=30).status_code == 404, path
    token = csrf_token(b, server.url("/notices/cases/"))
    locate = b.post(
        server.url(f"/notices/cases/{case_a.pk}/locate/"),
        data={"csrfmiddlewaretoken": token, "devices": world.device.pk, "responsible_person": "x"},
        headers={"Referer": server.url("/notices/cases/")},
        timeout=30,
    )
    assert locate.status_code == 404
    viewer = world.county.sessions["viewer"]  # sees the county's cases, may not act
    assert viewer.get(server.url(f"/notices/cases/{case_a.pk}/"), timeout=30).status_code == 200
    refused = post_form(
        viewer,
        server.url(f"/notices/cases/{case_a.pk}/"),
        server.url(f"/notices/cases/{case_a.pk}/locate/"),
        {"devices": world.device.pk, "responsible_person": "x"},
    )
    assert refused.status_code == 403
    assert (
        f"/notices/cases/{case_a.pk}/" not in b.get(server.url("/notices/cases/"), timeout=30).text
    )
    assert f"/notices/{pk}/" not in b.get(server.url("/notices/"), timeout=30).text
    listed = b.get(server.url("/notices/api/cases"), timeout=30).json()["results"]
    assert case_a.pk not in {c["id"] for c in listed}
    # school A sees it, the bureau sees it
    a = world.county.sessions["school_a"]
    assert a.get(server.url(f"/notices/cases/{case_a.pk}/"), timeout=30).status_code == 200
    assert (
        f"/notices/cases/{case_a.pk}/" in bureau.get(server.url("/notices/cases/"), timeout=30).text
    )


def embedded_fonts(reader) -> list[str]:
    """Names of the fonts whose program is embedded in the PDF (FontFile2/3 present)."""
    names = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for desc in font.get("/DescendantFonts", [font]):
                descriptor = desc.get_object().get("/FontDescriptor")
                if descriptor is not None and (
                    {"/FontFile2", "/FontFile3"} & set(descriptor.get_object().keys())
                ):
                    names.append(str(font["/BaseFont"]))
    return names


def _post(session, server, case_pk: int, action: str, data: dict) -> requests.Response:
    page = server.url(f"/notices/cases/{case_pk}/")
    return post_form(session, page, server.url(f"/notices/cases/{case_pk}/{action}/"), data)


def test_case_runs_located_reported_closed_with_history_and_report_files(server, world):
    from docx import Document
    from pypdf import PdfReader

    bureau, school = world.county.sessions["bureau"], world.county.sessions["school_a"]
    pk = notice_id(
        register(server, bureau, f"flow-{secrets.token_hex(2)}", [(world.pool_ip, "3333")])
    )
    case = cases_of(server, pk)[world.county.school_a.pk]
    page = school.get(server.url(f"/notices/cases/{case.pk}/"), timeout=30).text
    # the device the evidence names is pre-ticked as candidate
    assert re.search(rf'value="{world.device.pk}"[^>]*checked', page)
    assert (
        _post(
            school,
            server,
            case.pk,
            "locate",
            {"devices": world.device.pk, "responsible_person": "张老师"},
        ).status_code
        == 302
    )
    assert (
        _post(
            school,
            server,
            case.pk,
            "report",
            {
                "mining_mode": "passive",
                "mode_reason": "下载的破解软件捆绑了挖矿程序",
                "actions": "已清除病毒并断网",
                "accountability": "",
                "action": "submit",
            },
        ).status_code
        == 302
    )
    # the bureau returns it with a comment; the school resubmits
    assert _post(bureau, server, case.pk, "return", {"comment": "补充处置措施"}).status_code == 302
    assert "补充处置措施" in school.get(server.url(f"/notices/cases/{case.pk}/"), timeout=30).text
    assert (
        _post(
            school,
            server,
            case.pk,
            "report",
            {
                "mining_mode": "passive",
                "mode_reason": "下载的破解软件捆绑了挖矿程序",
                "actions": "已清除病毒并断网，已封禁矿池地址",
                "accountability": "",
                "action": "submit",
            },
        ).status_code
        == 302
    )

    docx = school.get(server.url(f"/notices/cases/{case.pk}/report.docx"), timeout=60)
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    pdf = school.get(server.url(f"/notices/cases/{case.pk}/report.pdf"), timeout=60)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    pdf_text = "".join(p.extract_text() for p in reader.pages)
    assert embedded_fonts(reader), "the PDF must embed its Chinese font"
    for body in (text, pdf_text):
        assert world.device.hostname in body and "张老师" in body
        assert "被动" in body and "已封禁矿池地址" in body

    # closing needs a clean rescan (or a reason)
    closing = _post(school, server, case.pk, "close", {"reason": ""})
    assert closing.status_code == 302
    case.refresh_from_db(using=server.alias)
    assert case.state == "reported"
    assert server.upload(world.token, make_report(world.identity)).status_code == 201
    assert _post(school, server, case.pk, "close", {"reason": ""}).status_code == 302
    case.refresh_from_db(using=server.alias)
    assert case.state == "closed"
    history = school.get(server.url(f"/notices/cases/{case.pk}/"), timeout=30).text
    events = history.split('data-testid="events"')[1].split("</table>")[0]
    assert re.findall(r'data-action="(\w+)"', events) == [
        "opened",
        "located",
        "report_edited",
        "reported",
        "returned",
        "report_edited",
        "reported",
        "closed",
    ]
    assert "教育局退回报告" in events
    assert school.get(server.url("/notices/cases/"), timeout=30).status_code == 200


def test_deadline_flags_on_overview_and_case_list(server, world):
    from collector_server.notices.models import Case

    bureau, school = world.county.sessions["bureau"], world.county.sessions["school_a"]
    late = notice_id(
        register(server, bureau, f"late-{secrets.token_hex(2)}", [("pool.example", "")])
    )
    soon = notice_id(
        register(server, bureau, f"soon-{secrets.token_hex(2)}", [("203.0.113.2", "")])
    )
    now = timezone.now()
    case_late = cases_of(server, late)[world.county.school_a.pk]
    case_soon = cases_of(server, soon)[world.county.school_b.pk]
    Case.objects.using(server.alias).filter(pk=case_late.pk).update(
        received_at=now - timedelta(hours=49)
    )  # 48 h to locate: overdue
    Case.objects.using(server.alias).filter(pk=case_soon.pk).update(
        received_at=now - timedelta(hours=40)
    )  # 8 h left: due soon
    overview = bureau.get(server.url("/"), timeout=30).text
    flags = overview.split('data-testid="case-flags"')[1].split("</table>")[0]
    assert re.search(rf'/notices/cases/{case_late.pk}/.*?data-flag="overdue"', flags, re.S)
    assert re.search(rf'/notices/cases/{case_soon.pk}/.*?data-flag="due_soon"', flags, re.S)
    home = school.get(server.url("/"), timeout=30).text
    assert f"/notices/cases/{case_late.pk}/" in home
    assert f"/notices/cases/{case_soon.pk}/" not in home  # school B's case
    overdue = bureau.get(server.url("/notices/cases/?flag=overdue"), timeout=30).text
    assert f"/notices/cases/{case_late.pk}/" in overdue
    assert f"/notices/cases/{case_soon.pk}/" not in overdue


def test_publish_blocklists_and_upward_list(server, world):
    from collector_server.signatures.models import SignatureBundle

    bureau = world.county.sessions["bureau"]
    domain = f"pool{secrets.token_hex(3)}.example"
    pk = notice_id(
        register(
            server, bureau, f"pub-{secrets.token_hex(2)}", [(domain, "4444"), ("192.0.2.77", "")]
        )
    )
    page = server.url(f"/notices/{pk}/")
    assert post_form(bureau, page, server.url(f"/notices/{pk}/publish/"), {}).status_code == 302
    bundle = SignatureBundle.objects.using(server.alias).order_by("-created_at", "-id").first()
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(bytes(bundle.archive)))) as tar:
        lists = "".join(
            tar.extractfile(m).read().decode()
            for m in tar.getmembers()
            if m.name.startswith("pools/") and m.isfile()
        )
    assert domain in lists and "192.0.2.77" in lists
    assert bundle.version in bureau.get(page, timeout=30).text

    org = f"?org={world.county.bureau.pk}"
    hosts = bureau.get(server.url(f"/notices/blocklist/download.hosts{org}"), timeout=30)
    assert hosts.status_code == 200 and f"0.0.0.0 {domain}" in hosts.text
    rpz = bureau.get(server.url(f"/notices/blocklist/download.rpz{org}"), timeout=30).text
    assert f"*.{domain} CNAME ." in rpz
    plain = bureau.get(server.url(f"/notices/blocklist/download.txt{org}"), timeout=30).text
    assert "192.0.2.77\n" in plain and domain in plain
    csv_text = bureau.get(
        server.url(f"/notices/blocklist/download.csv{org}"), timeout=30
    ).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "kind,value,port,notice,received_at"
    assert bureau.get(server.url("/notices/blocklist/download.exe"), timeout=30).status_code == 404
    # a school's blocklist of another organisation: 404
    b = world.school_b_session
    assert b.get(server.url(f"/notices/blocklist/{org}"), timeout=30).status_code == 404

    upward = bureau.get(server.url(f"/notices/upward/{org}"), timeout=30)
    assert upward.status_code == 200
    # once both pool addresses the county's agents found are notified, nothing is left to send
    notice_id(
        register(
            server,
            bureau,
            f"up-{secrets.token_hex(2)}",
            [(world.pool_ip, ""), ("pool.example", "")],
        )
    )
    upward = bureau.get(server.url(f"/notices/upward/{org}"), timeout=30)
    assert "198.51.100.7" not in upward.text.split('data-testid="upward"')[1]
    sheet = bureau.get(server.url(f"/notices/upward/{org}&format=csv"), timeout=30)
    assert sheet.content.decode("utf-8-sig").splitlines() == ["host,devices,first_seen"]
    assert (
        world.county.sessions["school_a"]
        .get(server.url("/notices/upward/"), timeout=30)
        .status_code
        == 403
    )
