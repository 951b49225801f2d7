"""Issue 17's done-condition: one Playwright walk per user (real server on SQLite, Debian's
chromium), each asserting that what the issue found on that user's way is gone, with
screenshots (docs/img/walk-*.png with MINECHECK_UPDATE_SCREENSHOTS=1).

- the bureau officer: overview with a chart by school and no bare chart, users page,
  password change, export, a styled Chinese 404;
- the school's IT teacher: a menu without 特征库, a token panel with a ready minecheck.toml,
  a device page with its network cards and labelled findings, a styled 403;
- the café owner: the agent's own HTML report of this machine, in Chinese, written for an
  owner (no "IT contact", no internal words, sizes in GB, the 举报 block).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from tests.collector.web.test_browser import CHROMIUM, CHROMIUM_ARGS, IMG, IN_CI, _seed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not os.path.exists(CHROMIUM),
        reason="chromium is not installed at /usr/bin/chromium",
    ),
]

RAW_KEYS = ("process_name", "cmdline", "sha256:", "'pid'", '"pid"', "(pid ")
ENGLISH_LEAKS = ("403 Forbidden", "Not Found", "Traceback", "(builtin)", "machine-id")


def _sign_in(page, server, username: str, password: str) -> None:
    page.goto(server.url("/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url("/"))


def _keep(shots: list[Path]) -> None:
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for png in shots:
            shutil.copyfile(png, IMG / png.name)


@contextlib.contextmanager
def _chromium():
    """Started after the seeding: Playwright's event loop forbids Django's ORM meanwhile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    return context.new_page()


def test_walk_of_the_bureau_officer(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the walks run once, on the SQLite server")
    bureau, _schools, _device, _user, _password = _seed(server)
    admin, admin_pw = server.user("bureau_admin", bureau)
    with _chromium() as browser:
        page = _page(browser)
        _sign_in(page, server, admin.username, admin_pw)
        shots = []

        overview = page.content()
        assert "按学校" in overview or "各学校" in overview  # the chart by school
        for svg in page.locator("svg").all():
            text = svg.text_content() or ""
            assert "0.5" not in text.split()  # count axes: whole numbers only
        shots.append(tmp_path / "walk-bureau-overview.png")
        page.screenshot(path=str(shots[-1]), full_page=True)

        nav = page.locator("nav").inner_text()
        assert "用户" in nav and "修改密码" in page.content()
        page.goto(server.url("/accounts/users/"))
        assert page.locator("h1").inner_text().strip()
        shots.append(tmp_path / "walk-bureau-users.png")
        page.screenshot(path=str(shots[-1]), full_page=True)

        page.goto(server.url("/accounts/password_change/"))
        assert page.locator("input[name=old_password]").count() == 1
        assert "密码" in page.locator("h1").inner_text()

        page.goto(server.url("/ledger/"))
        assert page.locator("a[href*='export']").count() >= 1

        missing = page.goto(server.url("/devices/999999/"))
        assert missing.status == 404
        body = page.content()
        assert "web/app.css" in body or "<nav" in body  # the site's own page, not a bare one
        assert not any(leak in body for leak in ENGLISH_LEAKS), body[:500]
        shots.append(tmp_path / "walk-bureau-404.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        _keep(shots)


def test_walk_of_the_school_it_teacher(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the walks run once, on the SQLite server")
    _bureau, schools, mining_device, _user, _password = _seed(server)
    school = mining_device.organisation
    teacher, teacher_pw = server.user("school_staff", school)
    with _chromium() as browser:
        page = _page(browser)
        _sign_in(page, server, teacher.username, teacher_pw)
        shots = []

        nav = page.locator("nav").inner_text()
        assert "特征库" not in nav and "用户" not in nav

        page.goto(server.url(f"/orgs/{school.pk}/"))
        page.fill("input[name=token-note]", "一号机房")
        page.click("#tokens form.filters button[type=submit]")
        toml = page.locator("#agent-toml")
        toml.wait_for()
        assert "[server]" in toml.inner_text() and "enrollment_token" in toml.inner_text()
        assert page.locator("button[data-copy], button.copy").count() >= 1
        assert "CIDR" not in page.locator("#ip-ranges th").first.inner_text() or (
            "IP地址段" in page.locator("#ip-ranges").inner_text()
        )
        shots.append(tmp_path / "walk-school-token.png")
        page.screenshot(path=str(shots[-1]), full_page=True)

        page.goto(server.url(f"/devices/{mining_device.pk}/"))
        device_page = page.locator("main").inner_text()
        assert "网卡" in device_page
        assert "进程" in device_page
        raw = [key for key in RAW_KEYS if key in device_page]
        at = device_page.find(raw[0]) if raw else 0
        assert not raw, (raw, device_page[max(0, at - 300) : at + 100])
        shots.append(tmp_path / "walk-school-device.png")
        page.screenshot(path=str(shots[-1]), full_page=True)

        refused = page.goto(server.url("/signatures/"))
        assert refused.status in (403, 404)
        body = page.content()
        assert "<nav" in body and not any(leak in body for leak in ENGLISH_LEAKS), body[:500]
        shots.append(tmp_path / "walk-school-refused.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        assert schools  # the county has other schools the teacher never sees
        others = [s for s in schools if s.pk != school.pk]
        assert page.goto(server.url(f"/orgs/{others[0].pk}/")).status == 404
        _keep(shots)


def test_walk_of_the_cafe_owner(tmp_path):
    """The café owner reads the report a real `minecheck scan` of this machine writes, with
    the 举报 settings its regulator pushed (kept in the agent's home as the runner keeps them)."""
    import json
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    (home / "pushed_config.json").write_text(
        json.dumps({"report_phone": "12318", "report_address": "县文化市场综合执法大队"}),
        encoding="utf-8",
    )
    html = tmp_path / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "--lang",
            "zh",
            "scan",
            "--sample-seconds",
            "1",
            "--html",
            str(html),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "MINECHECK_HOME": str(home)},
    )
    assert done.returncode in (0, 1, 2) and html.exists(), done.stderr
    with _chromium() as browser:
        page = _page(browser)
        page.goto(html.as_uri())
        text = page.locator("body").inner_text()
        assert "信息技术联系人" not in text and "IT contact" not in text
        assert not any(leak in text for leak in ENGLISH_LEAKS), text[:800]
        assert "12318" in text and "县文化市场综合执法大队" in text
        assert " MB" not in text.split("内存", 1)[-1][:40] or "GB" in text  # large sizes in GB
        shots = [tmp_path / "walk-cafe-report.png"]
        page.screenshot(path=str(shots[0]), full_page=True)
        _keep(shots)
