from django.apps import AppConfig


class DistributionConfig(AppConfig):
    name = "collector_server.distribution"
    label = "distribution"
    verbose_name = "Signature distribution and hand-carry import"
