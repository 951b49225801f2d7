"""Django app config of the bureau's and the schools' web dashboard."""

from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "collector_server.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
