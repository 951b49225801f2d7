"""Django admin (superusers) for user profiles."""

from django.contrib import admin

from collector_server.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organisation")
    list_filter = ("role",)
