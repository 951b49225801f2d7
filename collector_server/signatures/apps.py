from django.apps import AppConfig


class SignaturesConfig(AppConfig):
    name = "collector_server.signatures"
    # Was collector_server.distribution: the old label keeps the tables (distribution_*)
    # and the migration history of existing installs.
    label = "distribution"
    verbose_name = "Signature bundles and publishing"
