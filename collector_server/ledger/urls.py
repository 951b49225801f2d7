"""Ledger pages (included at the site root by collector_server.urls)."""

from django.urls import path

from collector_server.ledger.views import devices, duplicates, io, orgs, regulator, stale

app_name = "ledger"

urlpatterns = [
    path("ledger/", devices.ledger, name="ledger"),
    path("ledger/networks.csv", io.export_networks_csv, name="ledger_networks_csv"),
    path("ledger/export.<str:fmt>", io.export, name="ledger_export"),
    path("ledger/import/", io.import_page, name="ledger_import"),
    path("devices/<int:pk>/", devices.device, name="device"),
    path(
        "devices/<int:pk>/revoke-tokens/", devices.device_revoke_tokens, name="device_revoke_tokens"
    ),
    path("duplicates/", duplicates.duplicates, name="duplicates"),
    path("duplicates/merge/", duplicates.merge, name="duplicates_merge"),
    path("duplicates/moves/<int:pk>/", duplicates.decide_move, name="duplicates_move"),
    path("orgs/", orgs.org_list, name="orgs"),
    path("orgs/<int:pk>/", orgs.org_detail, name="org"),
    path("orgs/<int:pk>/report-contact/", regulator.report_contact, name="report_contact"),
    path("orgs/<int:pk>/lines/", orgs.org_add_line, name="org_add_line"),
    path("orgs/<int:pk>/ranges/", orgs.org_add_range, name="org_add_range"),
    path(
        "orgs/<int:pk>/<str:kind>/<int:item_pk>/delete/",
        orgs.org_delete_item,
        name="org_delete_item",
    ),
    path("orgs/<int:pk>/children/", orgs.org_add_child, name="org_add_child"),
    path("orgs/<int:pk>/tokens/", orgs.token_create, name="token_create"),
    path("orgs/<int:pk>/tokens/<int:token_pk>/revoke/", orgs.token_revoke, name="token_revoke"),
    path("distribution/stale/", stale.stale_page, name="stale"),
]
