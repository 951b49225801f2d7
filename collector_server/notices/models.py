"""Notices of mining IPs/domains (通报), their indicators and matches, and cases (处置)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collector_server.ledger.models import Device, Organisation


class NoticeSource(models.TextChoices):
    province = "province", _("Provincial monitoring centre")
    police = "police", _("Public security")
    cyberspace = "cyberspace", _("Cyberspace office")
    education = "education", _("Higher education authority")
    other = "other", _("Other")


class Notice(models.Model):
    """One notice received by a bureau."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("organisation"),
    )
    source = models.CharField(_("source"), max_length=16, choices=NoticeSource.choices)
    number = models.CharField(_("number"), max_length=100)
    received_at = models.DateTimeField(_("received"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("notice")

    def __str__(self) -> str:
        return self.number


class IndicatorKind(models.TextChoices):
    ip = "ip", _("IP address")
    domain = "domain", _("Domain")


class Indicator(models.Model):
    """A public IP or domain (optionally a port and time window) named by a notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("kind"), max_length=8, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=255, db_index=True)
    port = models.PositiveIntegerField(_("port"), null=True, blank=True)
    observed_from = models.DateTimeField(_("observed from"), null=True, blank=True)
    observed_to = models.DateTimeField(_("observed to"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.value}:{self.port}" if self.port else self.value


class MatchKind(models.TextChoices):
    egress_line = "egress_line", _("Egress line of the organisation")
    managed_range = "managed_range", _("Managed IP range of the organisation")
    upload_source = "upload_source", _("Uploads came from this address in the window")
    report_evidence = "report_evidence", _("An agent report names it")


class MatchStrength(models.TextChoices):
    organisation = "organisation", _("Organisation (strong)")
    candidate = "candidate", _("Candidate device")
    device = "device", _("Device (strong)")


MATCH_STRENGTH = {
    MatchKind.egress_line: MatchStrength.organisation,
    MatchKind.managed_range: MatchStrength.organisation,
    MatchKind.upload_source: MatchStrength.candidate,
    MatchKind.report_evidence: MatchStrength.device,
}


class Match(models.Model):
    """Why an indicator leads to an organisation (and maybe a device)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="matches")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="notice_matches"
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.CASCADE, related_name="notice_matches"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MatchKind.choices)
    strength = models.CharField(_("strength"), max_length=16, choices=MatchStrength.choices)
    evidence = models.CharField(_("evidence"), max_length=1024, blank=True)
    report_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["indicator_id", "organisation_id", "device_id", "kind"]


class CaseState(models.TextChoices):
    received = "received", _("Awaiting locating")
    located = "located", _("Located")
    reported = "reported", _("Reported")
    closed = "closed", _("Case closed")


class Case(models.Model):
    """The handling of one notice by one matched organisation."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.received
    )
    received_at = models.DateTimeField(_("received by the school"))
    located_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    devices = models.ManyToManyField(Device, blank=True, related_name="cases")
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    close_reason = models.TextField(_("reason for closing"), blank=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "organisation"], name="case_one_per_notice_and_org"
            ),
        ]


class ImmutableEventError(RuntimeError):
    """A recorded case event cannot be changed or deleted."""


class CaseEvent(models.Model):
    """One recorded change of a case (who, when, what); append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ImmutableEventError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEventError("case events are append-only")


class MiningMode(models.TextChoices):
    active = "active", _("Active (someone installed or ran the miner)")
    passive = "passive", _("Passive (malware or an infected program)")
    unknown = "unknown", _("Not yet determined")


class WrittenReport(models.Model):
    """The free-text parts of a case's written report (书面报告) that the school fills in."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="written")
    mining_mode = models.CharField(
        _("active or passive"), max_length=8, choices=MiningMode.choices, default=MiningMode.unknown
    )
    mode_reason = models.TextField(_("reason for active/passive"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    accountability = models.TextField(_("accountability"), blank=True)
    bureau_comment = models.TextField(_("comment of the bureau"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)


class ApiToken(models.Model):
    """A bearer token for the notices API, acting as one bureau user (stored hashed)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @classmethod
    def issue(cls, user, label: str = "", using: str = "default") -> tuple[ApiToken, str]:
        """A new token for ``user``; the plain text is returned once and never stored."""
        import secrets

        from collector_server.ledger.models import hash_token

        plain = "mcn_" + secrets.token_urlsafe(32)
        row = cls.objects.using(using).create(user=user, token_hash=hash_token(plain), label=label)
        return row, plain
