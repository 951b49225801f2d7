"""Accounts in the dashboard over the real server: password change, a bureau administrator
adding organisations, users and tokens (with the ready minecheck.toml), the bulk import of
organisations and users, role-aware navigation and the styled 403 / 404 / 500 pages."""

from __future__ import annotations

import re
import secrets
import sys
from html import unescape

import pytest
import requests
from openpyxl import Workbook

from tests.collector.web.test_dashboard_seed import csrf_token, post_form

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


@pytest.fixture(scope="module")
def bureau(server):
    """A county with one school; a bureau administrator, school staff and a second county."""
    county = server.org("县教育局", kind="county")
    school = server.org("实验中学", parent=county)
    other = server.org("邻县教育局", kind="county")
    admin, admin_pw = server.user("bureau_admin", county)
    staff, staff_pw = server.user("school_staff", school)
    return {
        "county": county,
        "school": school,
        "other": other,
        "admin": server.login(admin.username, admin_pw),
        "staff": server.login(staff.username, staff_pw),
        "staff_user": (staff, staff_pw),
    }


def _nav(html: str) -> str:
    return re.search(r"<nav>(.*?)</nav>", html, re.S).group(1)


def _login_status(server, username: str, password: str) -> int:
    session = requests.Session()
    page = server.url("/accounts/login/")
    token = csrf_token(session, page)
    return session.post(
        page,
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": page},
        allow_redirects=False,
        timeout=60,
    ).status_code


# --- password change ------------------------------------------------------------------------


def test_password_change_over_http(server):
    org = server.org("改密码学校")
    user, old = server.user("school_staff", org)
    session = server.login(user.username, old)
    home = session.get(server.url("/"), timeout=30).text
    assert 'href="/accounts/password_change/"' in home  # linked from the header
    page = server.url("/accounts/password_change/")
    form = session.get(page, timeout=30)
    assert form.status_code == 200 and "修改密码" in form.text and "style.css" in form.text
    new = "Qz7-" + secrets.token_urlsafe(10)
    wrong = post_form(
        session,
        page,
        page,
        {"old_password": "not-the-password", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 200 and "errorlist" in wrong.text  # old password refused
    assert _login_status(server, user.username, new) == 200  # still the old one
    done = post_form(
        session, page, page, {"old_password": old, "new_password1": new, "new_password2": new}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        "/accounts/password_change/done/"
    )
    assert "密码已修改" in session.get(server.url(done.headers["Location"]), timeout=30).text
    assert _login_status(server, user.username, old) == 200  # the old password: form again
    assert _login_status(server, user.username, new) == 302  # the new one signs in


# --- navigation and error pages -------------------------------------------------------------


def test_navigation_shows_only_what_the_role_may_use(server, bureau):
    staff_nav = _nav(bureau["staff"].get(server.url("/"), timeout=30).text)
    assert "特征库" not in staff_nav and "/distribution/signatures/" not in staff_nav
    assert "/accounts/users/" not in staff_nav
    assert "/ledger/" in staff_nav
    admin_nav = _nav(bureau["admin"].get(server.url("/"), timeout=30).text)
    assert "特征库" in admin_nav and "/accounts/users/" in admin_nav
    viewer, password = server.user("viewer", bureau["county"])
    viewer_nav = _nav(server.login(viewer.username, password).get(server.url("/"), timeout=30).text)
    assert "/ledger/import/" not in viewer_nav and "/accounts/users/" not in viewer_nav
    assert "/ledger/import/" in staff_nav  # school staff edit their ledger


def test_403_and_404_are_styled_chinese_pages_api_keeps_json(server, bureau):
    staff = bureau["staff"]
    forbidden = staff.get(server.url("/distribution/signatures/"), timeout=30)
    assert forbidden.status_code == 403
    assert 'id="error-403"' in forbidden.text and "无权访问" in forbidden.text
    assert "web/style.css" in forbidden.text and "Forbidden" not in forbidden.text
    missing = staff.get(server.url("/no-such-page/"), timeout=30)
    assert missing.status_code == 404 and "页面不存在" in missing.text
    assert "web/style.css" in missing.text
    other_org = staff.get(server.url(f"/orgs/{bureau['other'].pk}/"), timeout=30)
    assert other_org.status_code == 404 and 'id="error-404"' in other_org.text
    anonymous = requests.get(server.url("/no-such-page/"), timeout=30)
    assert anonymous.status_code == 404 and "页面不存在" in anonymous.text
    english = requests.get(
        server.url("/no-such-page/"), headers={"Accept-Language": "en"}, timeout=30
    )
    assert english.status_code == 404 and "Page not found" in english.text
    api = requests.get(server.url("/api/v1/no-such-endpoint"), timeout=30)
    assert api.status_code == 404 and api.headers["Content-Type"].startswith("application/json")
    assert api.json()["error"] == "not_found"


def test_500_is_styled_and_leaks_no_traceback(django_dbs):
    from django.test import Client, override_settings

    with override_settings(ROOT_URLCONF="tests.collector.accounts.raising_urls", DEBUG=False):
        answer = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans").get(
            "/test-boom/"
        )
    assert answer.status_code == 500
    text = answer.content.decode()
    assert 'id="error-500"' in text and "服务器出错" in text and "web/style.css" in text
    assert "Traceback" not in text and "secret-detail-of-the-failure" not in text
    assert "RuntimeError" not in text


def test_admin_login_is_in_the_site_look(server):
    page = requests.get(server.url("/admin/login/?next=/admin/"), timeout=30)
    assert page.status_code == 200
    assert "web/style.css" in page.text and "登录系统管理" in page.text
    assert "Django" not in page.text


# --- organisations, users and tokens in the dashboard ---------------------------------------


def test_bureau_admin_adds_a_school_and_school_staff_cannot(server, bureau):
    from collector_server.ledger.models import Organisation

    county = bureau["county"]
    org_url = server.url(f"/orgs/{county.pk}/")
    assert 'id="add-child"' in bureau["admin"].get(org_url, timeout=30).text
    name = f"新建小学-{secrets.token_hex(2)}"
    made = post_form(
        bureau["admin"],
        org_url,
        server.url(f"/orgs/{county.pk}/children/"),
        {
            "child-name": name,
            "child-kind": "school",
            "child-code": "S-01",
            "child-contact_person": "王老师",
            "child-contact_phone": "13800138000",
        },
    )
    assert made.status_code == 302
    child = Organisation.objects.using(server.alias).get(name=name)
    assert child.parent_id == county.pk and child.path.startswith(county.path)
    again = post_form(
        bureau["admin"],
        org_url,
        server.url(f"/orgs/{county.pk}/children/"),
        {"child-name": name, "child-kind": "school"},
    )
    assert again.status_code == 302
    assert Organisation.objects.using(server.alias).filter(name=name).count() == 1
    # another county is out of reach (404, no leak), school staff may not (403)
    out = post_form(
        bureau["admin"],
        org_url,
        server.url(f"/orgs/{bureau['other'].pk}/children/"),
        {"child-name": "越权学校", "child-kind": "school"},
    )
    assert out.status_code == 404
    school_url = server.url(f"/orgs/{bureau['school'].pk}/")
    assert 'id="add-child"' not in bureau["staff"].get(school_url, timeout=30).text
    refused = post_form(
        bureau["staff"],
        school_url,
        server.url(f"/orgs/{bureau['school'].pk}/children/"),
        {"child-name": "越权分校", "child-kind": "school"},
    )
    assert refused.status_code == 403 and "无权访问" in refused.text
    assert (
        not Organisation.objects.using(server.alias)
        .filter(name__in=["越权学校", "越权分校"])
        .exists()
    )


def test_bureau_admin_adds_a_user_with_a_one_time_password(server, bureau):
    page = server.url("/accounts/users/")
    name = f"teacher{secrets.token_hex(3)}"
    added = post_form(
        bureau["admin"],
        page,
        page,
        {"username": name, "role": "school_staff", "organisation": bureau["school"].pk},
    )
    assert added.status_code == 200
    password = re.search(r'id="new-password">([^<]+)<', added.text).group(1)
    assert password not in bureau["admin"].get(page, timeout=30).text  # shown once
    assert _login_status(server, name, password) == 302
    # out of scope organisation: the form refuses it
    foreign = post_form(
        bureau["admin"],
        page,
        page,
        {"username": name + "x", "role": "school_staff", "organisation": bureau["other"].pk},
    )
    assert foreign.status_code == 200 and 'id="new-password"' not in foreign.text
    # school staff: no users page
    assert bureau["staff"].get(page, timeout=30).status_code == 403
    staff_post = bureau["staff"].post(page, data={"username": "x"}, timeout=30)
    assert staff_post.status_code == 403


def test_token_panel_shows_server_url_and_a_ready_config(server, bureau):
    school = bureau["school"]
    org_url = server.url(f"/orgs/{school.pk}/")
    made = post_form(
        bureau["admin"],
        org_url,
        server.url(f"/orgs/{school.pk}/tokens/"),
        {"token-note": "机房", "token-expires_days": "30"},
    )
    assert made.status_code == 302
    page = bureau["admin"].get(org_url, timeout=30).text
    plain = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert re.search(r'id="server-url">([^<]+)<', page).group(1) == server.base_url
    config = tomllib.loads(unescape(re.search(r'id="agent-toml">(.*?)</pre>', page, re.S).group(1)))
    assert config["server"] == {"url": server.base_url, "enrollment_token": plain}
    assert set(config["ledger"]) == {"location", "department", "owner", "phone"}
    assert 'data-copy="agent-toml"' in page
    # the config works: an agent enrolling with it lands in the school
    from tests.collector.factories import make_identity

    enrolled = requests.post(
        config["server"]["url"] + "/api/v1/enroll",
        json={
            "enrollment_token": config["server"]["enrollment_token"],
            "device": make_identity(f"toml-{server.backend}").model_dump(mode="json"),
        },
        timeout=30,
    )
    assert enrolled.status_code in (200, 201), enrolled.text


def test_public_url_setting_wins(django_dbs):
    from django.test import RequestFactory, override_settings

    from collector_server.ledger.views.orgs import agent_config, public_url

    request = RequestFactory().get("/orgs/1/", HTTP_HOST="10.0.0.5:8000")
    assert public_url(request) == "http://10.0.0.5:8000"
    with override_settings(MINECHECK_PUBLIC_URL="https://minecheck.example.edu.cn/"):
        assert public_url(request) == "https://minecheck.example.edu.cn"
    text = agent_config('https://x"y', "tok\\en")
    assert tomllib.loads(text)["server"] == {"url": 'https://x"y', "enrollment_token": "tok\\en"}


# --- bulk import of organisations and users -------------------------------------------------


def _sheet(tmp_path, rows, name="accounts.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _upload(session, server, path):
    page = server.url("/accounts/users/import/")
    with open(path, "rb") as fh:
        return post_form(session, page, page, {}, files={"file": (path.name, fh)})


def test_import_preview_then_apply(server, bureau, tmp_path):
    from collector_server.accounts.models import Profile
    from collector_server.ledger.models import Organisation

    tag = secrets.token_hex(2)
    county = bureau["county"]
    rows = [
        ["单位名称", "上级单位", "类型", "单位代码", "联系人", "联系电话", "用户名", "角色"],
        [
            f"一中-{tag}",
            "",
            "学校",
            "A1",
            "李老师",
            "+86 139 0000 1111",
            f"yz{tag}",
            "学校工作人员",
        ],
        [f"网吧-{tag}", county.name, "网吧", "", "", "", "", ""],
        [f"一中分校-{tag}", f"一中-{tag}", "", "", "", "", f"fx{tag}", ""],
        [bureau["school"].name, "", "", "", "", "", f"sy{tag}", "只读用户"],
    ]
    preview = _upload(bureau["admin"], server, _sheet(tmp_path, rows))
    assert preview.status_code == 200
    assert "读取 4 行：新单位 3 个，新用户 3 个，错误 0 处" in preview.text
    assert 'id="confirm-form"' in preview.text
    assert not Organisation.objects.using(server.alias).filter(name__endswith=tag).exists()
    page = server.url("/accounts/users/import/")
    applied = post_form(bureau["admin"], page, page, {"action": "confirm"})
    assert applied.status_code == 200
    orgs = {o.name: o for o in Organisation.objects.using(server.alias).filter(name__endswith=tag)}
    assert set(orgs) == {f"一中-{tag}", f"网吧-{tag}", f"一中分校-{tag}"}
    assert orgs[f"一中-{tag}"].parent_id == county.pk and orgs[f"网吧-{tag}"].kind == "cafe"
    assert orgs[f"一中分校-{tag}"].parent_id == orgs[f"一中-{tag}"].pk
    assert orgs[f"一中-{tag}"].contact_phone == "+86 139 0000 1111"  # "+": a phone here
    profiles = {
        p.user.username: p
        for p in Profile.objects.using(server.alias)
        .select_related("user")
        .filter(user__username__endswith=tag)
    }
    assert profiles[f"yz{tag}"].role == "school_staff"
    assert profiles[f"sy{tag}"].role == "viewer"
    assert profiles[f"sy{tag}"].organisation_id == bureau["school"].pk
    passwords = re.findall(r'class="once-password">([^<]+)<', applied.text)
    assert len(passwords) == 3
    assert _login_status(server, f"fx{tag}", passwords[1]) == 302  # rows yz, fx, sy
    # the same file again: the users exist now, nothing is applied
    again = _upload(bureau["admin"], server, _sheet(tmp_path, rows))
    assert "已被使用" in again.text and 'id="confirm-form"' not in again.text


def test_import_errors_change_nothing_and_roles_are_refused(server, bureau, tmp_path):
    from django.contrib.auth.models import User

    from collector_server.ledger.models import Organisation

    tag = secrets.token_hex(2)
    rows = [
        ["单位名称", "上级单位", "用户名", "角色"],
        [f"好学校-{tag}", "", f"ok{tag}", ""],
        [f"越权-{tag}", bureau["other"].name, "", ""],
        ["@SUM(1+1)*cmd", "", "", ""],
        [f"坏角色-{tag}", "", f"bad{tag}", "国王"],
        [f"重名-{tag}", "", f"ok{tag}", ""],
    ]
    answer = _upload(bureau["admin"], server, _sheet(tmp_path, rows))
    errors = re.search(r'id="import-errors">(.*?)</table>', answer.text, re.S).group(1)
    assert "不在您管理的单位范围内" in errors and "公式" in errors
    assert "未知的角色" in errors and "已被使用" in errors
    assert 'id="confirm-form"' not in answer.text
    page = server.url("/accounts/users/import/")
    post_form(bureau["admin"], page, page, {"action": "confirm"})  # nothing stored to apply
    assert not Organisation.objects.using(server.alias).filter(name__endswith=tag).exists()
    assert not User.objects.using(server.alias).filter(username__endswith=tag).exists()
    # not a spreadsheet: the ledger reader's message, no traceback
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a zip")
    bad = _upload(bureau["admin"], server, junk)
    assert bad.status_code == 200 and 'id="import-errors"' in bad.text
    # school staff: refused
    assert bureau["staff"].get(page, timeout=30).status_code == 403


def test_bureau_admin_gives_a_new_one_time_password(server, bureau):
    school_user, old = server.user("school_staff", bureau["school"])
    foreign, _pw = server.user("school_staff", bureau["other"])
    page = server.url("/accounts/users/")
    listing = bureau["admin"].get(page, timeout=30).text
    assert school_user.username in listing and foreign.username not in listing
    reset = post_form(
        bureau["admin"], page, server.url(f"/accounts/users/{school_user.pk}/reset-password/"), {}
    )
    assert reset.status_code == 302
    shown = bureau["admin"].get(page, timeout=30).text
    password = re.search(r'id="new-password">([^<]+)<', shown).group(1)
    assert password not in bureau["admin"].get(page, timeout=30).text  # shown once
    assert _login_status(server, school_user.username, old) == 200
    assert _login_status(server, school_user.username, password) == 302
    out = post_form(
        bureau["admin"], page, server.url(f"/accounts/users/{foreign.pk}/reset-password/"), {}
    )
    assert out.status_code == 404  # another county's user: not found
    staff = bureau["staff"]
    token = csrf_token(staff, server.url("/"))
    refused = staff.post(
        server.url(f"/accounts/users/{school_user.pk}/reset-password/"),
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": server.url("/")},
        timeout=30,
    )
    assert refused.status_code == 403
    assert _login_status(server, school_user.username, password) == 302  # unchanged
