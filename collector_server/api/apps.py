from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "collector_server.api"
    label = "api"
    verbose_name = "Agent API"
