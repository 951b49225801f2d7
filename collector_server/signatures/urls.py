"""Pages of signatures (path kept from before the restructure)."""

from django.urls import path

from collector_server.signatures import views

app_name = "signatures"
urlpatterns = [
    path("distribution/signatures/", views.signatures_page, name="signatures"),
]
