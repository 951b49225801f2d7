from django.urls import path

from collector_server.api import devices, views

app_name = "api"
urlpatterns = [
    path("enroll", views.enroll, name="enroll"),
    path("reports", views.reports, name="reports"),
    path("config", views.config, name="config"),
    path("devices", devices.device_list, name="devices"),
    path("devices/<int:device_id>", devices.device_detail, name="device"),
    path("openapi.json", views.openapi, name="openapi"),
    path("docs", views.docs, name="docs"),
]
