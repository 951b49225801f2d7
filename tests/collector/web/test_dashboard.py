"""Dashboard pages over the real server (HTTP on loopback), SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re

import pytest
import requests
from openpyxl import load_workbook

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import make_device, post_form, seed_county


@pytest.fixture(scope="module")
def county(server):
    """One county per backend for this module; tests that add rows add them to fresh schools."""
    return seed_county(server)


def _login(server, county, who: str) -> requests.Session:
    return county.sessions[who]


def _hostnames(html: str) -> set[str]:
    return set(re.findall(r'href="/devices/\d+/">([^<]+)</a>', html))


def test_pages_need_login_and_render_in_chinese(server, county):
    anonymous = requests.get(server.url("/ledger/"), allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
    session = _login(server, county, "bureau")
    for path in (
        "/",
        "/ledger/",
        "/findings/",
        "/orgs/",
        f"/orgs/{county.school_a.pk}/",
        f"/devices/{county.devices_a[0].pk}/",
        "/ledger/import/",
    ):
        page = session.get(server.url(path), timeout=30)
        assert page.status_code == 200, (path, page.status_code)
        assert "信息资产台账" in page.text and "http://" not in page.text.replace(
            'xmlns="http://www.w3.org/2000/svg"', ""
        )
    overview = session.get(server.url("/"), timeout=30).text
    assert "<svg" in overview and "存在挖矿设备的单位" in overview
    assert county.school_b.name in overview  # a school with mining devices is listed
    css = session.get(server.url("/static/web/style.css"), timeout=30)
    assert css.status_code == 200 and "--brand" in css.text
    english = requests.Session()
    english.cookies = session.cookies
    page = english.get(server.url("/ledger/"), headers={"Accept-Language": "en"}, timeout=30)
    assert "Asset ledger" in page.text


def test_school_user_sees_only_their_school(server, county):
    session = _login(server, county, "school_a")
    own = session.get(server.url(f"/devices/{county.devices_a[0].pk}/"), timeout=30)
    assert own.status_code == 200 and county.devices_a[0].hostname in own.text
    for path in (
        f"/devices/{county.devices_b[0].pk}/",
        f"/orgs/{county.school_b.pk}/",
        f"/orgs/{county.bureau.pk}/",
        f"/ledger/?org={county.school_b.pk}",
        f"/ledger/export.xlsx?org={county.school_b.pk}",
    ):
        assert session.get(server.url(path), timeout=30).status_code == 404, path
    listed = _hostnames(session.get(server.url("/ledger/?q=PC"), timeout=30).text)
    assert {d.hostname for d in county.devices_a} <= listed
    assert not listed & {d.hostname for d in county.devices_b}
    export = session.get(server.url("/ledger/export.xlsx"), timeout=60)
    assert export.status_code == 200
    ws = load_workbook(io.BytesIO(export.content), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("单位/组织", "资产编号", "主机名")
    names = {r[2] for r in rows[1:]}
    assert names == {d.hostname for d in county.devices_a}
    assert all(r[0] == county.school_a.name for r in rows[1:])


def test_ledger_filters(server, county):
    session = _login(server, county, "bureau")
    area = server.org("片区", kind="county", parent=county.bureau)
    school_a, school_b = server.org("一中", parent=area), server.org("二小", parent=area)
    a = [make_device(server.alias, school_a, f"FA-{i}") for i in range(3)]
    b = [
        make_device(
            server.alias,
            school_b,
            f"FB-{i}",
            last_verdict="mining",
            high_performance=True,
            gpu_models="NVIDIA GeForce RTX 4090",
        )
        for i in range(2)
    ]
    a_names, b_names = {d.hostname for d in a}, {d.hostname for d in b}

    def names(query: str) -> set[str]:
        page = session.get(server.url(f"/ledger/?{query}"), timeout=30)
        assert page.status_code == 200
        return _hostnames(page.text)

    assert names(f"org={area.pk}") == a_names | b_names  # tree-aware
    assert names(f"org={school_a.pk}") == a_names
    assert names(f"org={area.pk}&verdict=mining") == b_names
    assert names(f"org={area.pk}&verdict=clean") == a_names
    assert names(f"org={area.pk}&hp=1") == b_names
    assert names(f"org={area.pk}&hp=0") == a_names
    assert names(f"org={area.pk}&gpu=4090") == b_names
    target = a[1]
    assert names(f"org={area.pk}&q={target.macs[0].upper()}") == {target.hostname}
    assert names(f"org={area.pk}&q={target.ip_addresses[0]}") == {target.hostname}
    stale = make_device(server.alias, school_a, "STALE-PC", last_seen=None)
    assert names(f"org={area.pk}&seen=never") == {stale.hostname}
    assert names(f"org={area.pk}&seen=24h") == a_names | b_names


def test_keyset_paging_visits_every_device_once(server, county):
    school = server.org("分页学校", parent=county.bureau)
    for i in range(121):
        make_device(server.alias, school, f"P-{i:03d}")
    session = _login(server, county, "bureau")
    url = server.url(f"/ledger/?org={school.pk}")
    seen: list[str] = []
    pages = 0
    while url:
        page = session.get(url, timeout=30)
        pages += 1
        seen += re.findall(r'href="/devices/\d+/">([^<]+)</a>', page.text)
        nxt = re.search(r'rel="next" href="([^"]+)"', page.text)
        url = server.url("/ledger/" + nxt.group(1).replace("&amp;", "&")) if nxt else None
        assert pages < 10
    assert pages == 3 and len(seen) == len(set(seen)) == 121
    assert seen == sorted(seen)
    prev = re.search(r'rel="prev" href="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    back = _hostnames(session.get(server.url("/ledger/" + prev), timeout=30).text)
    assert back == set(seen[50:100])


def test_ledger_fields_edit_by_role(server, county):
    device = county.devices_a[0]
    page_url = server.url(f"/devices/{device.pk}/")
    fields = {
        "asset_tag": "ZC-2024-001",
        "location": "实验楼302",
        "department": "信息中心",
        "responsible_person": "王老师",
        "responsible_phone": "0571-88886666",
        "status": "active",
        "notes": "",
    }
    school = _login(server, county, "school_a")
    saved = post_form(school, page_url, page_url, fields)
    assert saved.status_code == 302
    device.refresh_from_db(using=server.alias)
    assert (device.location, device.responsible_person, device.asset_tag) == (
        "实验楼302",
        "王老师",
        "ZC-2024-001",
    )
    bad = post_form(school, page_url, page_url, {**fields, "responsible_phone": "call me"})
    assert bad.status_code == 200 and "errorlist" in bad.text
    device.refresh_from_db(using=server.alias)
    assert device.responsible_phone == "0571-88886666"
    other = server.url(f"/devices/{county.devices_b[0].pk}/")
    blocked = post_form(school, page_url, other, fields)
    assert blocked.status_code == 404
    viewer = _login(server, county, "viewer")
    assert 'id="ledger-form"' not in viewer.get(page_url, timeout=30).text
    denied = post_form(viewer, page_url, page_url, {**fields, "location": "X"})
    assert denied.status_code == 403
    device.refresh_from_db(using=server.alias)
    assert device.location == "实验楼302"


def test_device_page_shows_findings_evidence_and_history(server, county):
    school = server.org("上报学校", parent=county.bureau)
    identity = make_identity(f"dash-{school.pk}-{server.backend}")
    token = server.enrolled(school, identity)
    assert server.upload(token, make_report(identity, findings=2)).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    session = _login(server, county, "bureau")
    page = session.get(server.url(f"/devices/{device.pk}/"), timeout=30).text
    assert "最近一次报告的检查发现" in page and "处置建议" in page
    assert 'class="verdict mining"' in page and "proc0.exe" in page  # utilization processes
    assert "stratum+tcp://pool.example:3333\n--donate-level 1" in page  # evidence lines
    findings = session.get(
        server.url(f"/findings/?verdict=mining&org={school.pk}"), timeout=30
    ).text
    assert f'href="/devices/{device.pk}/#findings"' in findings
    none = session.get(server.url(f"/findings/?verdict=clean&org={school.pk}"), timeout=30).text
    assert f'href="/devices/{device.pk}/#findings"' not in none


def test_org_page_lines_ranges_and_tokens(server, county):
    session = _login(server, county, "school_a")
    org_url = server.url(f"/orgs/{county.school_a.pk}/")
    ok = post_form(
        session,
        org_url,
        server.url(f"/orgs/{county.school_a.pk}/lines/"),
        {
            "line-isp": "中国电信",
            "line-addresses": "203.0.113.10\n198.51.100.0/28",
            "line-bandwidth_mbps": "500",
            "line-note": "",
        },
    )
    assert ok.status_code == 302
    bad = post_form(
        session,
        org_url,
        server.url(f"/orgs/{county.school_a.pk}/ranges/"),
        {"range-cidr": "10.300.0.0/16", "range-note": ""},
    )
    assert bad.status_code == 302
    good = post_form(
        session,
        org_url,
        server.url(f"/orgs/{county.school_a.pk}/ranges/"),
        {"range-cidr": "10.12.0.0/16", "range-note": "教学网"},
    )
    assert good.status_code == 302
    page = session.get(org_url, timeout=30).text
    assert "中国电信" in page and "10.12.0.0/16" in page and "10.300" not in page
    created = post_form(
        session,
        org_url,
        server.url(f"/orgs/{county.school_a.pk}/tokens/"),
        {"token-note": "机房", "token-expires_days": "30"},
    )
    assert created.status_code == 302
    page = session.get(org_url, timeout=30).text
    plain = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert plain.startswith("mce_")
    assert plain not in session.get(org_url, timeout=30).text  # shown once only
    from collector_server.ledger.models import EnrollmentToken, hash_token

    token = EnrollmentToken.objects.using(server.alias).get(token_hash=hash_token(plain))
    assert token.organisation_id == county.school_a.pk
    revoke_url = server.url(f"/orgs/{county.school_a.pk}/tokens/{token.pk}/revoke/")
    assert post_form(session, org_url, revoke_url, {}).status_code == 302
    token.refresh_from_db(using=server.alias)
    assert token.revoked
    # another school's organisation page and its token actions are out of reach
    other = server.url(f"/orgs/{county.school_b.pk}/tokens/")
    assert post_form(session, org_url, other, {"token-note": "x"}).status_code == 404


def test_search_pages_and_capped_count(server, county):
    from collector_server.ledger import query as ledger_query

    school = server.org("搜索学校", parent=county.bureau)
    for i in range(60):
        make_device(server.alias, school, f"SRCH-{i:02d}", responsible_person="周老师")
    session = _login(server, county, "bureau")
    first = session.get(server.url(f"/ledger/?org={school.pk}&q=srch"), timeout=30).text
    assert "共 60 台设备" in first
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = session.get(server.url("/ledger/" + nxt), timeout=30).text
    names = re.findall(r'href="/devices/\d+/">([^<]+)</a>', first + second)
    assert names == [f"SRCH-{i:02d}" for i in range(60)] and 'rel="next"' not in second
    prev = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    back = session.get(server.url("/ledger/" + prev), timeout=30).text
    assert _hostnames(back) == {f"SRCH-{i:02d}" for i in range(50)}
    if server.alias != "default":
        return  # the service check below runs in this process on the default database
    # more matches than the cap: the page says "more than"
    old = ledger_query.COUNT_CAP
    try:
        ledger_query.COUNT_CAP = 10  # this process only; check the service directly
        f = ledger_query.LedgerFilter(org=school)
        page = ledger_query.ledger_page(ledger_query.filter_devices(county.users["bureau"][0], f))
        assert page.capped and page.total == 10 and len(page.rows) == 50
    finally:
        ledger_query.COUNT_CAP = old


def test_searching_a_notified_address_names_the_school(server, county):
    from collector_server.ledger.models import EgressLine

    school = server.org("出口学校", parent=county.bureau)
    EgressLine.objects.using(server.alias).create(
        organisation=school, isp="中国移动", addresses="192.0.2.0/28"
    )
    device = make_device(server.alias, school, "EGRESS-PC", public_ip="192.0.2.5")
    bureau = _login(server, county, "bureau")
    page = bureau.get(server.url("/ledger/?q=192.0.2.5"), timeout=30).text
    panel = page.split('id="address-match"')[1].split("</div>")[0]
    assert school.name in panel and f"/devices/{device.pk}/" in panel
    school_user = _login(server, county, "school_a")  # another school's line stays hidden
    other = school_user.get(server.url("/ledger/?q=192.0.2.5"), timeout=30).text
    panel = other.split('id="address-match"')[1].split("</div>")[0]
    assert school.name not in panel and "EGRESS-PC" not in panel


def test_duplicates_page_lists_and_merges_within_scope(server, county):
    school = server.org(f"重复页校-{server.backend}", parent=county.bureau)
    shared = f"4c4c4544-0000-1000-8000-{school.pk:012d}"
    first = make_identity(f"duppage1-{server.backend}-{school.pk}", system_uuid=shared)
    second = make_identity(f"duppage2-{server.backend}-{school.pk}", system_uuid=shared)
    for identity in (first, second):
        server.enrolled(school, identity)
    bureau = _login(server, county, "bureau")
    page = bureau.get(server.url("/duplicates/"), timeout=30)
    assert page.status_code == 200 and shared in page.text
    assert {first.hostname, second.hostname} <= _hostnames(page.text)
    # another school's staff does not see them and cannot merge them
    other = _login(server, county, "school_a")
    assert shared not in other.get(server.url("/duplicates/"), timeout=30).text
    keep = server.devices().get(fingerprint=first.fingerprint)
    gone = server.devices().get(fingerprint=second.fingerprint)
    refused = post_form(
        other,
        server.url("/duplicates/"),
        server.url("/duplicates/merge/"),
        {"keep": keep.pk, "other": gone.pk},
    )
    assert refused.status_code == 404
    merged = post_form(
        bureau,
        server.url("/duplicates/"),
        server.url("/duplicates/merge/"),
        {"keep": keep.pk, "other": gone.pk},
    )
    assert merged.status_code == 302
    assert not server.devices().filter(fingerprint=second.fingerprint).exists()
    assert shared not in bureau.get(server.url("/duplicates/"), timeout=30).text


def test_findings_page_groups_by_device_and_shows_incidents(server, county):
    from agent.wire.report import Incident, LocalizedText, MiningMode, Strength

    school = server.org("事件学校", parent=county.bureau)
    first, second = (make_identity(f"inc-{n}-{school.pk}-{server.backend}") for n in (1, 2))
    report = make_report(first, findings=3)
    report.incidents = [
        Incident(
            id="i1",
            strength=Strength.strong,
            title=LocalizedText(
                zh="挖矿程序 xmr.py（PID 4000）：2 条证据",
                en="Miner xmr.py (PID 4000): 2 piece(s) of evidence",
            ),
            mode=MiningMode.undetermined,
            mode_reason=LocalizedText(zh="无法判断是谁启动的", en="Not determined"),
            root_pid=3990,
            pids=[3990, 4000],
            exe="C:\\Users\\Public\\xmr.py",
            files=["C:\\Users\\Public\\cfg.json"],
            remotes=["198.51.100.7:3333"],
            findings=[0, 1],
            action=LocalizedText(
                zh="停止由 cmd.exe（PID 3990）启动的进程树",
                en="Stop the process tree started by cmd.exe (PID 3990)",
            ),
        )
    ]
    assert server.upload(server.enrolled(school, first), report).status_code == 201
    assert (
        server.upload(server.enrolled(school, second), make_report(second, findings=1)).status_code
        == 201
    )
    session = _login(server, county, "bureau")
    page = session.get(server.url(f"/findings/?org={school.pk}"), timeout=30).text

    sections = {}
    for identity in (first, second):
        device = server.devices().get(fingerprint=identity.fingerprint)
        head = f'<h2><a href="/devices/{device.pk}/#findings">'
        assert page.count(head) == 1
        start = page.index(head)
        sections[identity.fingerprint] = page[start : page.find("</section>", start)]
    sec = sections[first.fingerprint]
    incident = sec.index("挖矿程序 xmr.py（PID 4000）：2 条证据")
    other = sec.index("其他检查发现", incident)
    assert incident < sec.index("连接到已知矿池 #0") < other
    assert incident < sec.index("连接到已知矿池 #1") < other
    assert other < sec.index("连接到已知矿池 #2")
    plain = sections[second.fingerprint]
    assert "连接到已知矿池 #0" in plain and "挖矿程序 xmr.py" not in plain
    for label in ("挖矿程序自己的文件", "配置和脚本文件", "矿池地址", "进程树（PID）", "未确定"):
        assert label in page, label
    assert "C:\\Users\\Public\\cfg.json" in page
    assert "停止由 cmd.exe（PID 3990）启动的进程树" in page
    english = requests.Session()
    english.cookies = session.cookies
    en = english.get(
        server.url(f"/findings/?org={school.pk}"), headers={"Accept-Language": "en"}, timeout=30
    ).text
    assert "Miner's own file" in en and "Miner xmr.py (PID 4000)" in en
