"""Browser test: Playwright drives Debian's chromium against the real server (SQLite).

Logs in, filters the ledger, opens a device, downloads the Excel export, and saves the
screenshots of the main pages that the user guides show (docs/img/).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import make_device

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[3]
IMG = ROOT / "docs" / "img"
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not Path(CHROMIUM).exists(),
        reason="chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run installs it in CI)",
    ),
]


def _seed(server):
    """A small county that looks like a real one in the screenshots."""
    from collector_server.ledger.models import (
        EgressLine,
        EnrollmentToken,
        ManagedRange,
        Organisation,
    )

    bureau = server.org("示范县教育局", kind="county")
    schools = [server.org(name, parent=bureau) for name in ("实验中学", "城关小学", "职业技术学校")]
    for org in (bureau, *schools):  # drop the random suffix the seeding helper adds
        org.name = org.name.rsplit("-", 1)[0]
        Organisation.objects.using(server.alias).filter(pk=org.pk).update(name=org.name)
    EgressLine.objects.using(server.alias).create(
        organisation=schools[0],
        isp="中国电信",
        addresses="203.0.113.10\n203.0.113.16/29",
        bandwidth_mbps=1000,
        note="教育城域网出口",
    )
    EgressLine.objects.using(server.alias).create(
        organisation=schools[0], isp="中国联通", addresses="198.51.100.20", bandwidth_mbps=300
    )
    ManagedRange.objects.using(server.alias).create(
        organisation=schools[0], cidr="10.12.0.0/16", note="教学网"
    )
    ManagedRange.objects.using(server.alias).create(
        organisation=schools[0], cidr="172.20.8.0/22", note="机房"
    )
    EnrollmentToken.issue(schools[0], expires_days=30, note="机房一批", using=server.alias)
    rooms = ["计算机教室一", "计算机教室二", "图书馆电子阅览室", "行政楼机房"]
    prefixes = ["SYZX", "CGXX", "ZJXX"]
    for i in range(24):
        school = schools[i % 3]
        make_device(
            server.alias,
            school,
            f"{prefixes[i % 3]}-PC{i:03d}",
            location=rooms[i % 4],
            department="信息中心",
            responsible_person=["王老师", "李老师", "张老师"][i % 3],
            responsible_phone="0571-8888" + f"{i:04d}",
            asset_tag=f"ZC-2024-{i:04d}",
            cpu_model="Intel(R) Core(TM) i5-9500",
            os_name="Windows 10 Pro",
            memory_mb=16384,
            last_verdict="clean" if i % 7 else "suspicious",
        )
    # real uploads through the agent API: a GPU workstation found mining, with evidence
    devices = {}
    for seed, school, findings, verdict in (
        (1, schools[0], 3, "mining"),
        (2, schools[2], 0, "clean"),
        (3, schools[1], 1, "suspicious"),
    ):
        identity = make_identity(f"browser-{seed}-{school.pk}", hostname=f"GPU-WS-{seed:02d}")
        token = server.enrolled(
            school, identity, {"location": "人工智能实验室", "department": "信息中心"}
        )
        response = server.upload(token, make_report(identity, findings=findings, verdict=verdict))
        assert response.status_code == 201, response.text
        devices[seed] = server.devices().get(fingerprint=identity.fingerprint)
    user, password = server.user("bureau_staff", bureau)
    return bureau, schools, devices[1], user, password


def _sheet(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_browser_flow_and_screenshots(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the browser flow runs once, on the SQLite server")
    if IN_CI and not Path(CHROMIUM).exists():
        pytest.fail("CI must install chromium (.ci/run: apt_install chromium)")
    from playwright.sync_api import sync_playwright

    bureau, schools, mining_device, user, password = _seed(server)
    shots = tmp_path / "img"
    shots.mkdir()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
            )
            page = context.new_page()
            page.goto(server.url("/ledger/"))
            assert "/accounts/login/" in page.url
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(server.url("/ledger/"))
            page.screenshot(path=str(shots / "ledger.png"), full_page=False)

            # filter the ledger: mining devices of the county
            page.select_option("select[name=verdict]", "mining")
            page.click("#ledger-filters button[type=submit]")
            page.wait_for_load_state()
            rows = page.locator("#ledger-table tbody tr")
            assert rows.count() == 1 and "GPU-WS-01" in rows.first.inner_text()

            # open the device: findings with evidence
            page.click("text=GPU-WS-01")
            page.wait_for_url(server.url(f"/devices/{mining_device.pk}/"))
            assert page.locator("#findings").is_visible()
            page.screenshot(path=str(shots / "device.png"), full_page=True)

            # download the filtered export and check its rows
            page.goto(server.url(f"/ledger/?org={bureau.pk}&verdict=mining"))
            page.click("#export-xlsx")  # starts a job; its page refreshes until the file is ready
            page.wait_for_selector("a.download", timeout=60_000)
            with page.expect_download() as info:
                page.click("a.download")
            download = info.value
            assert download.suggested_filename.endswith(".xlsx")
            data = Path(download.path()).read_bytes()
            rows = list(
                load_workbook(io.BytesIO(data), read_only=True)
                .worksheets[0]
                .iter_rows(values_only=True)
            )
            assert rows[0][2] == "主机名" and [r[2] for r in rows[1:]] == ["GPU-WS-01"]

            page.goto(server.url("/"))
            assert page.locator("svg.chart").count() >= 3
            page.screenshot(path=str(shots / "overview.png"), full_page=True)
            page.goto(server.url(f"/orgs/{schools[0].pk}/"))
            page.screenshot(path=str(shots / "organisation.png"), full_page=True)
            page.goto(server.url("/findings/"))
            assert page.locator("#findings-table tbody tr").count() >= 3
            page.screenshot(path=str(shots / "findings.png"), full_page=False)
            # import: a preview with one change and one bad row, then a clean file confirmed
            page.goto(server.url("/ledger/import/"))
            page.set_input_files(
                "input[name=file]",
                str(
                    _sheet(
                        tmp_path / "fix.xlsx",
                        [
                            ["主机名", "部署位置", "责任人", "联系电话"],
                            ["SYZX-PC000", "实验楼301", "赵老师", "0571-88880000"],
                            ["CGXX-PC001", "图书馆", "钱老师", "电话待补"],
                        ],
                    )
                ),
            )
            page.click("#import-form button[type=submit]")
            page.locator("#import-errors").wait_for()
            assert page.locator("#confirm-form").count() == 0
            page.screenshot(path=str(shots / "import.png"), full_page=False)
            page.set_input_files(
                "input[name=file]",
                str(
                    _sheet(
                        tmp_path / "ok.xlsx",
                        [["主机名", "部署位置", "责任人"], ["SYZX-PC000", "实验楼301", "赵老师"]],
                    )
                ),
            )
            page.click("#import-form button[type=submit]")
            page.click("#confirm-form button[type=submit]")
            page.locator("#import-summary").wait_for()

            # the English switch
            page.select_option("select[name=language]", "en")
            page.locator("h1", has_text="Import ledger corrections").wait_for(timeout=30_000)
            context.close()
        finally:
            browser.close()
    # (the ORM refuses to run inside Playwright's event loop: check the database here)
    fixed = server.devices().get(hostname="SYZX-PC000", organisation=schools[0])
    assert (fixed.location, fixed.responsible_person) == ("实验楼301", "赵老师")
    for name in ("overview", "ledger", "device", "organisation", "findings", "import"):
        assert (shots / f"{name}.png").stat().st_size > 10_000
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copyfile(png, IMG / png.name)
