"""Browser test (Playwright, Debian's chromium, real server on SQLite): a bureau administrator
creates an enrollment token and copies the ready minecheck.toml with the copy button; a
school user sees the styled "not allowed" page and a menu without 特征库. Saves the
screenshots the guides can show (docs/img/ with MINECHECK_UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.collector.web.test_browser import CHROMIUM, CHROMIUM_ARGS, IMG, IN_CI

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not IN_CI and not os.path.exists(CHROMIUM),
        reason="chromium is not installed at /usr/bin/chromium",
    ),
]


def _sign_in(page, server, username, password):
    page.goto(server.url("/accounts/login/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(server.url("/"))


def test_token_copy_button_and_school_user_pages(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("the browser flow runs once, on the SQLite server")
    from playwright.sync_api import sync_playwright

    county = server.org("城南区教育局", kind="county")
    school = server.org("城南实验小学", parent=county)
    admin, admin_pw = server.user("bureau_admin", county)
    staff, staff_pw = server.user("school_staff", school)
    shots = tmp_path / "img"
    shots.mkdir()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
            page = context.new_page()
            _sign_in(page, server, admin.username, admin_pw)
            page.goto(server.url(f"/orgs/{school.pk}/"))
            page.fill("input[name=token-note]", "二号机房")
            page.click("#tokens form.filters button[type=submit]")
            page.locator("#agent-toml").wait_for()
            token = page.locator("#new-token").inner_text().strip()
            button = page.locator("button[data-copy=agent-toml]")
            button.click()
            page.wait_for_function(
                "document.querySelector('button[data-copy=agent-toml]').textContent === '已复制'"
            )
            copied = page.evaluate("navigator.clipboard.readText()")
            page.locator("#tokens").screenshot(path=str(shots / "token-panel.png"))
            page.goto(server.url("/accounts/users/"))
            page.screenshot(path=str(shots / "users.png"), full_page=False)
            context.close()

            context = browser.new_context(viewport={"width": 1366, "height": 700}, locale="zh-CN")
            page = context.new_page()
            _sign_in(page, server, staff.username, staff_pw)
            nav = page.locator("header nav").inner_text()
            page.goto(server.url("/distribution/signatures/"))
            forbidden_title = page.locator("h1").inner_text()
            page.screenshot(path=str(shots / "error-403.png"), full_page=False)
            context.close()

            context = browser.new_context(viewport={"width": 1366, "height": 700}, locale="zh-CN")
            page = context.new_page()
            page.goto(server.url("/admin/login/?next=/admin/"))
            admin_title = page.locator("h1").inner_text()
            page.screenshot(path=str(shots / "admin-login.png"), full_page=False)
            context.close()
        finally:
            browser.close()
    config = tomllib.loads(copied)
    assert config["server"] == {"url": server.base_url, "enrollment_token": token}
    assert "特征库" not in nav and "台账" in nav
    assert forbidden_title == "无权访问"
    assert admin_title == "登录系统管理"
    for name in ("token-panel", "users", "error-403", "admin-login"):
        assert (shots / f"{name}.png").stat().st_size > 5_000
    if os.environ.get("MINECHECK_UPDATE_SCREENSHOTS") == "1":
        IMG.mkdir(parents=True, exist_ok=True)
        for png in shots.glob("*.png"):
            shutil.copyfile(png, IMG / png.name)
