"""People who sign pledges, the signed pledges, the bureau's pledge settings, weekly reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collector_server.ledger.models import Device, Organisation


class PersonRole(models.TextChoices):
    staff = "staff", _("Staff member")
    operator = "operator", _("Information-asset operator")
    other = "other", _("Other person (has mined before)")


class Person(models.Model):
    """Someone of an organisation who must sign the pledge (全体工作人员、信息资产运维人员…)."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(
        _("role"), max_length=16, choices=PersonRole.choices, default=PersonRole.staff
    )
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    devices = models.ManyToManyField(
        Device,
        blank=True,
        related_name="responsible_people",
        verbose_name=_("devices responsible for"),
    )
    active = models.BooleanField(_("still with the organisation"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation_id", "name", "id"]
        verbose_name = _("person")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name", "phone"], name="person_unique_in_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PledgeVariant(models.TextChoices):
    county = "county", _("County government text (with 负责人签字)")
    education = "education", _("Education department text (附件3)")


class Pledge(models.Model):
    """A signed pledge that came back as a scan: a person's, or the unit's (person empty).

    Rows are never changed or deleted: signing again adds a row, so nothing is lost.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="pledges",
        verbose_name=_("person"),
    )
    variant = models.CharField(
        _("text"), max_length=16, choices=PledgeVariant.choices, default=PledgeVariant.county
    )
    signed_on = models.DateField(_("signed on"))
    scan_file = models.CharField(max_length=255, help_text="path under the data folder")
    scan_name = models.CharField(_("file name"), max_length=255)
    scan_type = models.CharField(max_length=32)
    scan_size = models.PositiveIntegerField(default=0)
    scan_sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("pledge")


class PledgeSettings(models.Model):
    """What a bureau sets for the organisations under it: the deadline and the text."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="pledge_settings"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    variant = models.CharField(
        _("text"), max_length=16, choices=PledgeVariant.choices, default=PledgeVariant.county
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )


class LockedReviewError(RuntimeError):
    """A locked weekly review cannot be changed."""


class WeeklyReview(models.Model):
    """One organisation's review of one ISO week; ``snapshot`` is computed once, then frozen."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="weekly_reviews",
        verbose_name=_("organisation"),
    )
    week = models.CharField(_("week"), max_length=8, help_text="ISO week, e.g. 2026-W48")
    week_start = models.DateField()
    snapshot = models.JSONField(default=dict)
    generated_at = models.DateTimeField(default=timezone.now)
    experience = models.TextField(_("Experience"), blank=True)
    problems = models.TextField(_("Problems"), blank=True)
    adjustments = models.TextField(_("Adjustments to the measures"), blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-week_start", "organisation_id"]
        verbose_name = _("weekly review")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "week"], name="weekly_review_one_per_org_week"
            ),
        ]

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = (
                WeeklyReview.objects.using(self._state.db or "default")
                .filter(pk=self.pk)
                .values("snapshot", "locked_at")
                .first()
            )
            if stored is not None:
                if stored["locked_at"] is not None:
                    raise LockedReviewError("the weekly review is locked")
                if stored["snapshot"] != self.snapshot:
                    raise LockedReviewError("the weekly review's snapshot is frozen")
        super().save(*args, **kwargs)
