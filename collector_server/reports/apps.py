from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "collector_server.reports"
    # Was collector_server.ingest: the old label keeps the tables (ingest_*) and the
    # migration history of existing installs.
    label = "ingest"
    verbose_name = _("Reports and findings")

    def ready(self) -> None:
        from . import tasks  # noqa: F401 - the daily report-thinning schedule
