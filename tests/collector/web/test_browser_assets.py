"""Browser test of the asset ledger and dashboard polish (issue 17), with screenshots.

A virtual machine uploads a real report; Chromium opens its device page (network-card
table, one /dev/vda, labelled finding fields), the bureau overview (chart by school), the
import preview of a device without the agent and the restyled stale / signatures /
hand-carry pages. MINECHECK_UPDATE_SCREENSHOTS=1 copies the pictures to docs/img/.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agent.wire.report import DiskInfo, NICInfo, OSInfo
from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_browser import CHROMIUM, CHROMIUM_ARGS, IMG, IN_CI, _sheet
from tests.collector.web.test_dashboard_seed import make_device

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not Path(CHROMIUM).exists(),
        reason="chromium is not installed at /usr/bin/chromium",
    ),
]


def _seed(server):
    from collector_server.ledger.models import Organisation

    bureau = server.org("资产县教育局", kind="county")
    schools = [server.org(name, parent=bureau) for name in ("第一中学", "第二小学", "职业中学")]
    for org in (bureau, *schools):
        org.name = org.name.rsplit("-", 1)[0]
        Organisation.objects.using(server.alias).filter(pk=org.pk).update(name=org.name)
    for i in range(9):
        make_device(
            server.alias,
            schools[i % 3],
            f"ZC-PC{i:02d}",
            last_verdict="mining" if i in (1, 4, 7, 2) else "clean",
        )
    identity = make_identity(f"browser-vm-{bureau.pk}", hostname="VM-SERVER-01", macs=[])
    identity.manufacturer, identity.product = "QEMU", "Standard PC (Q35 + ICH9, 2009)"
    report = make_report(identity, findings=2, gpu=None)
    report.hardware.nics = [
        NICInfo(name="lo", ipv4=["127.0.0.1"], ipv6=["::1"], up=True),
        NICInfo(
            name="enp1s0",
            mac="52:54:00:ab:cd:ef",
            ipv4=["10.20.0.5"],
            up=True,
            physical=True,
            speed_mbps=1000,
        ),
        NICInfo(
            name="docker0", mac="02:42:ac:11:00:01", ipv4=["172.17.0.1"], up=False, physical=False
        ),
    ]
    report.hardware.disks = [
        DiskInfo(device="/dev/vda", model="QEMU HARDDISK", size_gb=128, mountpoint="/"),
        DiskInfo(device="/dev/vda", model="QEMU HARDDISK", size_gb=128, mountpoint="/boot"),
    ]
    report.hardware.os = OSInfo(
        name="Ubuntu 22.04.4 LTS", version="22.04.4 LTS", hostname=identity.hostname
    )
    token = server.enrolled(schools[0], identity)
    assert server.upload(token, report).status_code == 201
    vm = server.devices().get(fingerprint=identity.fingerprint)
    user, password = server.user("bureau_staff", bureau)
    return schools, vm, user, password


def test_asset_ledger_pages_in_the_browser(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the browser flow runs once, on the SQLite server")
    from playwright.sync_api import sync_playwright

    _schools, vm, user, password = _seed(server)
    shots = tmp_path / "img"
    shots.mkdir()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(server.url("/accounts/login/"))
            page.fill("input[name=username]", user.username)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_load_state()

            page.goto(server.url(f"/devices/{vm.pk}/"))
            nics = page.locator("#nic-table").inner_text()
            assert "52:54:00:ab:cd:ef" in nics and "127.0.0.1" not in nics
            assert page.locator("#dev-macs").inner_text().strip() == "52:54:00:ab:cd:ef"
            assert page.locator("#disk-table tr").count() == 2  # header and one /dev/vda
            assert page.locator("#dev-os").inner_text().strip() == "Ubuntu 22.04.4 LTS"
            subject = page.locator("#findings table.subject").first.inner_text()
            assert "进程名" in subject and "程序路径" in subject and "process_name" not in subject
            page.screenshot(path=str(shots / "device-asset.png"), full_page=True)

            page.goto(server.url("/"))
            chart = page.locator("#school-chart")
            assert "第一中学" in chart.inner_text() or chart.locator("svg").count() == 1
            chart.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "overview-schools.png"), full_page=True)

            page.goto(server.url("/ledger/import/"))
            page.set_input_files(
                "input[name=file]",
                str(
                    _sheet(
                        tmp_path / "new.xlsx",
                        [
                            ["单位/组织", "主机名", "MAC地址", "IP地址", "部署位置", "责任人"],
                            [
                                "第二小学",
                                "GPU-SRV-01",
                                "00:1b:21:aa:bb:cc",
                                "10.30.0.9",
                                "网络中心",
                                "孙老师",
                            ],
                        ],
                    )
                ),
            )
            page.click("#import-form button[type=submit]")
            assert "未运行客户端" in page.locator("#import-new").inner_text()
            page.screenshot(path=str(shots / "import-new-device.png"), full_page=True)
            page.click("#confirm-form button[type=submit]")
            page.wait_for_load_state()
            page.goto(server.url("/ledger/?q=GPU-SRV-01"))
            assert "未运行客户端" in page.locator("#ledger-table").inner_text()

            for path, name in (
                ("/distribution/stale/", "stale"),
                ("/distribution/signatures/", "signatures"),
                ("/distribution/handcarry/", "handcarry"),
            ):
                response = page.goto(server.url(path))
                assert response is not None and response.status == 200, path
                assert page.locator(".panel table.data, .panel form").count() >= 1, path
                page.screenshot(path=str(shots / f"{name}-page.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    for png in shots.glob("*.png"):
        assert png.stat().st_size > 10_000, png.name
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copyfile(png, IMG / png.name)
