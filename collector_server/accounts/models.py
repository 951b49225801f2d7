"""Who a dashboard user is: a role and the organisation they belong to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    bureau_admin = "bureau_admin", _("Bureau administrator")
    bureau_staff = "bureau_staff", _("Bureau staff")
    school_staff = "school_staff", _("School staff")
    viewer = "viewer", _("Read-only viewer")


EDITING_ROLES = {Role.bureau_admin, Role.bureau_staff, Role.school_staff}
ADMIN_ROLES = {Role.bureau_admin}


class Profile(models.Model):
    """A user's role and organisation; they see that organisation and everything below it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.viewer)
    organisation = models.ForeignKey(
        "ledger.Organisation",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("organisation"),
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"
