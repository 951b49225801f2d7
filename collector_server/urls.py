"""URL map: agent API, Django admin, accounts, the dashboard."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from collector_server.distribution.urls import api_urlpatterns

LOGIN_TEMPLATE = "dashboard/login.html"

urlpatterns = [
    path("api/v1/signatures/", include((api_urlpatterns, "signatures_api"))),
    path("api/v1/", include("collector_server.api.urls")),
    path("distribution/", include("collector_server.distribution.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name=LOGIN_TEMPLATE),
        name="login",
    ),
    path("jobs/", include("collector_server.jobs.urls")),
    path("notices/", include("collector_server.notices.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("collector_server.dashboard.urls")),
]
