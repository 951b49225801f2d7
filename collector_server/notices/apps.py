from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "collector_server.notices"
    label = "notices"
    verbose_name = _("Notices and cases")
