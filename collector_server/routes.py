"""The agent API's route table: every /api/v1/ path with its view and name."""

from __future__ import annotations

from django.urls import URLPattern, path


def api_urlpatterns() -> list[URLPattern]:
    """The URL patterns below /api/v1/ (namespace ``api``)."""
    from collector_server import openapi
    from collector_server.ledger import api as ledger_api
    from collector_server.reports import api as reports_api
    from collector_server.signatures import api as signatures_api

    return [
        path("enroll", ledger_api.enroll, name="enroll"),
        path("reports", reports_api.reports, name="reports"),
        path("config", ledger_api.config, name="config"),
        path("devices", ledger_api.device_list, name="devices"),
        path("devices/<int:device_id>", ledger_api.device_detail, name="device"),
        path("signatures/latest", signatures_api.latest, name="signatures_latest"),
        path("signatures/<str:version>/archive", signatures_api.archive,
             name="signatures_archive"),
        path("openapi.json", openapi.openapi, name="openapi"),
        path("docs", openapi.docs, name="docs"),
    ]
