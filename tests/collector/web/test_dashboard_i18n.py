"""Dashboard templates speak Chinese by default and English on request (the catalogue's
completeness is checked by test_i18n_collector.py for the whole collector)."""

from __future__ import annotations


def test_templates_render_in_chinese_by_default(django_dbs):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/ledger/import/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        html = render_to_string("ledger/import.html", {"editable": False}, request=request)
    assert "导入台账信息" in html and "您的账号只能查看台账" in html
    with translation.override("en"):
        html = render_to_string("ledger/import.html", {"editable": False}, request=request)
    assert "Import ledger corrections" in html and "导入台账信息" not in html


def test_mining_mode_labels(django_dbs):
    from django.utils import translation

    from collector_server.web.templatetags.dash import verdict_badge

    with translation.override("zh-hans"):
        assert "挖矿（被动）" in verdict_badge("mining", "passive")
        assert 'class="verdict none"' in verdict_badge("", "")
    with translation.override("en"):
        assert "Mining (active)" in verdict_badge("mining", "active")


def test_dashboard_login_template_renders(django_dbs):
    """accounts/login.html (for LoginView(template_name=...)) renders the auth form fields."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/accounts/login/")
    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        html = render_to_string(
            "accounts/login.html",
            {"form": AuthenticationForm(request), "next": "/"},
            request=request,
        )
    assert 'name="username"' in html and 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html and "登录" in html


def test_the_ip_range_header_is_in_chinese():
    """Issue 17: the organisation page's ranges table said "CIDR" in every language."""
    from pathlib import Path

    from django.template import engines
    from django.utils import translation

    path = (
        Path(__file__).resolve().parents[3]
        / "collector_server"
        / "ledger"
        / "templates"
        / "ledger"
        / "org_detail.html"
    )
    source = path.read_text(encoding="utf-8")
    assert "<th>CIDR</th>" not in source
    with translation.override("zh-hans"):
        text = (
            engines["django"]
            .from_string('{% load i18n %}{% translate "IP range (CIDR)" %}')
            .render({})
        )
    assert text == "IP地址段（CIDR）"
