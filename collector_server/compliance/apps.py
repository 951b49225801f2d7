"""Pledges (承诺书), the people who sign them, and the weekly review (每周研判)."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "collector_server.compliance"
    label = "compliance"
    verbose_name = _("Pledges and weekly review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import jobs, tasks  # noqa: F401 - the weekly_review job kind, its schedule
