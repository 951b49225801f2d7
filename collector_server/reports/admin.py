"""Django admin (superusers) for reports."""

from django.contrib import admin

from collector_server.reports.models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("report_id", "device", "received_at", "verdict", "finding_count")
    list_filter = ("verdict",)
    exclude = ("raw",)
    raw_id_fields = ("device",)
