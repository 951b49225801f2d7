"""Django admin (superusers) for user profiles, under the collector's name and look."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from collector_server.accounts.models import Profile

admin.site.site_header = _("minecheck asset ledger: administration")
admin.site.site_title = _("minecheck asset ledger")
admin.site.index_title = _("Administration")
admin.site.site_url = "/"
# the sign-in page is the dashboard's own (web/base.html), not Django's blue one
admin.site.login_template = "accounts/admin_login.html"


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organisation")
    list_filter = ("role",)
