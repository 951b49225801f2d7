"""Pages that span the domains: the overview."""

from django.urls import path

from collector_server.web import views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
]
