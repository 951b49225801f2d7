"""URL map: the agent API (route table), Django admin, then each app's pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from collector_server.routes import api_urlpatterns

urlpatterns = [
    path("api/v1/", include((api_urlpatterns(), "api"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("collector_server.accounts.urls")),
    path("jobs/", include("collector_server.jobs.urls")),
    path("notices/", include("collector_server.notices.urls")),
    path("compliance/", include("collector_server.compliance.urls")),
    path("", include("collector_server.web.urls")),
    path("", include("collector_server.ledger.urls")),
    path("", include("collector_server.reports.urls")),
    path("", include("collector_server.signatures.urls")),
]
