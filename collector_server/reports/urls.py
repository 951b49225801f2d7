"""Pages of reports: findings, hand-carried files (paths kept from before the restructure)."""

from django.urls import path

from collector_server.reports.views import findings, handcarry

app_name = "reports"
urlpatterns = [
    path("findings/", findings.findings, name="findings"),
    path("distribution/handcarry/", handcarry.handcarry_page, name="handcarry"),
    path(
        "distribution/handcarry/held/<int:pk>/", handcarry.handcarry_decide, name="handcarry_decide"
    ),
]
