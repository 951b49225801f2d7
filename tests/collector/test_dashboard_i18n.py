"""Every dashboard/ledgerio message has a Chinese translation and the compiled .mo is current."""

from __future__ import annotations

from collector_server.dashboard import catalogue


def test_catalogue_complete_and_compiled():
    found = catalogue.extract()
    assert "Asset ledger" in found and "Unknown column “%(name)s”." in found  # extractor works
    assert found["%(n)s device"] == "%(n)s devices"  # blocktranslate plural
    assert catalogue.problems() == []


def test_templates_render_in_chinese_by_default(django_dbs):
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/accounts/login/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    with translation.override("zh-hans"):
        html = render_to_string("dashboard/import.html", {"editable": False}, request=request)
    assert "导入台账信息" in html and "您的账号只能查看台账" in html
    with translation.override("en"):
        html = render_to_string("dashboard/import.html", {"editable": False}, request=request)
    assert "Import ledger corrections" in html
