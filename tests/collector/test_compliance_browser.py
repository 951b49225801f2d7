"""Browser walk through pledges and the weekly review (Playwright, Debian's chromium, SQLite):
print a school's pledges, upload a signed scan (and have a wrong file refused), generate the
week's review, write the conclusions and lock it. Saves the guides' screenshots."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.collector.compliance_seed import person
from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_browser import CHROMIUM, CHROMIUM_ARGS, IMG, IN_CI
from tests.collector.web.test_dashboard_seed import make_device

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not Path(CHROMIUM).exists(),
        reason="chromium is not installed at /usr/bin/chromium",
    ),
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000


def _seed(server):
    from collector_server.ledger.models import Organisation

    bureau = server.org("承诺示范县教育局", kind="county")
    schools = [server.org(n, parent=bureau) for n in ("第一实验中学", "城南小学")]
    for org in (bureau, *schools):
        org.name = org.name.rsplit("-", 1)[0]
        Organisation.objects.using(server.alias).filter(pk=org.pk).update(name=org.name)
    devices = [make_device(server.alias, schools[i % 2], f"CN-PC{i:02d}") for i in range(6)]
    people = [
        person(server.alias, schools[0], "张老师", "operator", devices[:2:2]),
        person(server.alias, schools[0], "刘老师"),
        person(server.alias, schools[1], "陈老师", "staff", devices[1:2]),
    ]
    identity = make_identity(f"browser-pledge-{bureau.pk}")
    token = server.enrolled(schools[0], identity)
    assert server.upload(token, make_report(identity)).status_code == 201
    user, password = server.user("bureau_admin", bureau)
    return bureau, schools, people, user, password


def test_pledges_and_weekly_review_walk(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the browser walk runs once, on the SQLite server")
    from playwright.sync_api import sync_playwright

    from collector_server.compliance.review import current_week

    bureau, schools, people, user, password = _seed(server)
    week = current_week()
    shots = tmp_path / "img"
    shots.mkdir()
    scan, text = tmp_path / "张老师-承诺书.png", tmp_path / "说明.txt"
    scan.write_bytes(PNG)
    text.write_text("not a scan", encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
            )
            page = context.new_page()
            page.goto(server.url("/compliance/"))
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(server.url("/compliance/"))
            assert page.locator("#due-this-week").is_visible()
            with page.expect_download() as info:
                page.click(f'tr[data-org="{schools[0].pk}"] >> text=全部承诺书（PDF）')
            assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")

            page.goto(server.url(f"/compliance/pledges/upload/?person={people[0].pk}"))
            page.set_input_files("input[name=file]", str(text))
            page.click("#upload-form button[type=submit]")
            page.locator("text=不是 PDF、JPEG 或 PNG 文件").wait_for()
            page.set_input_files("input[name=file]", str(scan))
            page.click("#upload-form button[type=submit]")
            page.wait_for_url(server.url("/compliance/pledges/"))
            assert "张老师-承诺书.png" in page.locator("#pledge-table").inner_text()
            page.goto(server.url("/compliance/"))
            page.screenshot(path=str(shots / "pledges.png"), full_page=True)

            page.goto(server.url("/compliance/reviews/"))
            page.fill("#generate-form input[name=week]", week)
            page.click("#generate-form button[type=submit]")
            page.click(f"#review-table >> text={week} >> nth=0")
            page.goto(page.url)  # the bureau's own review is the first row (ordered by path)
            page.fill("textarea[name=experience]", "各校按期完成人员登记和承诺书打印。")
            page.fill("textarea[name=problems]", "城南小学客户端覆盖率偏低。")
            page.fill("textarea[name=adjustments]", "下周对城南小学逐台核查并补装客户端。")
            page.click("button[value=lock]")
            page.locator("#review-locked").wait_for()
            assert page.locator("#review-ranking tr").count() == 3
            header = page.locator("#review-ranking tr").first.inner_text()
            assert "覆盖率" in header and "签订率" in header, header
            page.screenshot(path=str(shots / "weekly-review.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    from collector_server.compliance.models import Pledge, WeeklyReview

    assert Pledge.objects.using(server.alias).filter(person=people[0]).count() == 1
    locked = WeeklyReview.objects.using(server.alias).filter(
        week=week, organisation__in=[bureau, *schools], locked_at__isnull=False
    )
    assert [r.organisation_id for r in locked] == [bureau.pk]
    assert locked[0].problems == "城南小学客户端覆盖率偏低。"
    for name in ("pledges", "weekly-review"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copyfile(png, IMG / png.name)
