"""URL map: agent API, Django admin, accounts, then each domain app's pages."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collector_server.routes import api_urlpatterns

LOGIN_TEMPLATE = "accounts/login.html"

urlpatterns = [
    path("api/v1/", include((api_urlpatterns(), "api"))),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name=LOGIN_TEMPLATE),
        name="login",
    ),
    path("jobs/", include("collector_server.jobs.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("collector_server.web.urls")),
    path("", include("collector_server.ledger.urls")),
    path("", include("collector_server.reports.urls")),
    path("", include("collector_server.signatures.urls")),
]
