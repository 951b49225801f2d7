from django.urls import path

from collector_server.api import views

app_name = "api"
urlpatterns = [
    path("enroll", views.enroll, name="enroll"),
    path("reports", views.reports, name="reports"),
    path("config", views.config, name="config"),
    path("openapi.json", views.openapi, name="openapi"),
    path("docs", views.docs, name="docs"),
]
