"""Browser test of the school's side of a notice case (Playwright drives Debian's chromium
against the real server, SQLite): the due-soon flag on the home page, locate, write and
submit the report, download it, rescan, close. Screenshots for the guides (docs/img/)."""

from __future__ import annotations

import io
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_browser import CHROMIUM, CHROMIUM_ARGS, IMG, IN_CI

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not Path(CHROMIUM).exists(),
        reason="chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run installs it in CI)",
    ),
]
SHOTS = ("notice", "case-flags", "case-locate", "case-reported", "case-closed")


def _seed(server):
    from collector_server.ledger.models import Organisation
    from collector_server.notices import services
    from collector_server.notices.models import Case

    bureau = server.org("示范县教育局", kind="county")
    school = server.org("实验中学", parent=bureau)
    for org in (bureau, school):
        org.name = org.name.rsplit("-", 1)[0]
        Organisation.objects.filter(pk=org.pk).update(name=org.name)
    identity = make_identity(f"notice-browser-{school.pk}", hostname="SYZX-GPU-01")
    token = server.enrolled(
        school, identity, {"location": "人工智能实验室", "department": "信息中心"}
    )
    assert server.upload(token, make_report(identity, findings=1)).status_code == 201
    received = timezone.now() - timedelta(hours=40)
    notice = services.register_notice(
        bureau,
        source="police",
        number="公网安〔2026〕118号",
        received_at=received,
        indicators=[{"value": "198.51.100.7", "port": 3333}, {"value": "pool.example"}],
    )
    (case,) = services.open_cases(notice, now=received)
    assert Case.objects.get(pk=case.pk).organisation_id == school.pk
    staff, staff_pw = server.user("school_staff", school)
    officer, officer_pw = server.user("bureau_staff", bureau)
    return notice, case, token, identity, (staff.username, staff_pw), (officer.username, officer_pw)


def _login(context, server, username: str, password: str):
    page = context.new_page()
    page.goto(server.url("/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url("/"))
    return page


def test_school_handles_a_case_in_the_browser(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the browser flow runs once, on the SQLite server")
    if IN_CI and not Path(CHROMIUM).exists():
        pytest.fail("CI must install chromium (.ci/run: apt_install chromium)")
    from docx import Document
    from playwright.sync_api import sync_playwright

    notice, case, token, identity, staff, officer = _seed(server)
    shots = tmp_path / "img"
    shots.mkdir()
    docx_bytes = b""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            options = {
                "viewport": {"width": 1366, "height": 900},
                "locale": "zh-CN",
                "accept_downloads": True,
            }
            bureau = _login(browser.new_context(**options), server, *officer)
            bureau.goto(server.url(f"/notices/{notice.pk}/"))
            assert "SYZX-GPU-01" in bureau.locator("[data-testid=matches]").inner_text()
            bureau.screenshot(path=str(shots / "notice.png"), full_page=True)

            page = _login(browser.new_context(**options), server, *staff)
            flags = page.locator("[data-testid=case-flags]")
            assert "即将到期" in flags.inner_text()
            page.screenshot(path=str(shots / "case-flags.png"), full_page=False)
            flags.locator(f"a[href='/notices/cases/{case.pk}/']").click()
            page.wait_for_url(server.url(f"/notices/cases/{case.pk}/"))
            assert page.locator("input[name=devices]").first.is_checked()
            page.fill("input[name=responsible_person]", "王老师")
            page.screenshot(path=str(shots / "case-locate.png"), full_page=True)
            page.click("[data-testid=locate]")
            page.locator("[data-testid=state]", has_text="已锁定").wait_for()

            page.select_option("select[name=mining_mode]", "passive")
            page.fill(
                "textarea[name=mode_reason]", "伪装成系统进程的挖矿木马，来源为下载的破解软件"
            )
            page.fill(
                "textarea[name=actions]", "已断网、结束进程并全盘查杀；出口防火墙封禁矿池地址"
            )
            page.click("[data-testid=submit]")
            page.locator("[data-testid=state]", has_text="已报告").wait_for()
            page.screenshot(path=str(shots / "case-reported.png"), full_page=True)
            with page.expect_download() as info:
                page.click("text=书面报告（DOCX）")
            docx_bytes = Path(info.value.path()).read_bytes()

            # the clean rescan arrives through the agent API; then the case can be closed
            assert server.upload(token, make_report(identity)).status_code == 201
            page.reload()
            assert "所有设备复查均无异常" in page.content()
            page.click("[data-testid=close]")
            page.locator("[data-testid=state]", has_text="已结案").wait_for()
            events = page.locator("[data-testid=events] td[data-action]")
            assert [events.nth(i).get_attribute("data-action") for i in range(events.count())] == [
                "opened",
                "located",
                "report_edited",
                "reported",
                "closed",
            ]
            assert "已结案" in page.locator("[data-testid=events]").inner_text()
            page.screenshot(path=str(shots / "case-closed.png"), full_page=True)
        finally:
            browser.close()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs)
    assert "SYZX-GPU-01" in text and "王老师" in text and "被动" in text
    for name in SHOTS:
        assert (shots / f"{name}.png").stat().st_size > 10_000
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for name in SHOTS:
            shutil.copyfile(shots / f"{name}.png", IMG / f"{name}.png")
