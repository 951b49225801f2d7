"""Django app config of the ledger Excel/CSV export and import."""

from django.apps import AppConfig


class LedgerIOConfig(AppConfig):
    name = "collector_server.ledgerio"
    label = "ledgerio"
    verbose_name = "Ledger import/export"
