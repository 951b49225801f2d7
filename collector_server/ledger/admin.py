"""Django admin (superusers) for the ledger."""

from django.contrib import admin

from collector_server.ledger import models


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "parent", "path")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(models.Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = (
        "hostname",
        "organisation",
        "location",
        "responsible_person",
        "high_performance",
        "last_verdict",
        "last_seen",
    )
    list_filter = ("last_verdict", "high_performance", "status")
    search_fields = ("hostname", "fingerprint", "asset_tag", "network_text", "responsible_person")
    raw_id_fields = ("organisation",)
    exclude = ("hardware",)


@admin.register(models.AgentSettings)
class AgentSettingsAdmin(admin.ModelAdmin):
    list_display = ("organisation", "scan_interval_minutes", "sample_seconds", "deep_scan")


@admin.register(models.EnrollmentToken)
class EnrollmentTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "organisation", "uses", "max_uses", "expires_at", "revoked")
    readonly_fields = ("token_hash", "prefix", "uses")


admin.site.register(models.EgressLine)
admin.site.register(models.ManagedRange)
admin.site.register(models.HardwareChange)
