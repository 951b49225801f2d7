"""Django app config of what the pages share: base template, static files, template tags,
the overview page, the API docs page and the server's own commands (init, run, demo)."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "collector_server.web"
    label = "web"  # was collector_server.dashboard (label "dashboard"); it has no models
    verbose_name = "Web pages"
