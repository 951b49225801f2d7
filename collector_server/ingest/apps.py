from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IngestConfig(AppConfig):
    name = "collector_server.ingest"
    label = "ingest"
    verbose_name = _("Reports and findings")
