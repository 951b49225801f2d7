"""Reports uploaded by agents (raw JSON kept compressed), the findings they carry, and the
hand-carry files held for review."""

from __future__ import annotations

import gzip
import json
import zlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from collector_server.ledger.models import Device


class Report(models.Model):
    """One scan report of one device; ``report_id`` makes uploads idempotent."""

    report_id = models.UUIDField(unique=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="reports")
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    started_at = models.DateTimeField(_("scanned"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=16, blank=True)
    mode = models.CharField(_("mode"), max_length=16, blank=True)
    schema_version = models.PositiveSmallIntegerField(default=1)
    agent_version = models.CharField(max_length=64, blank=True)
    signature_version = models.CharField(max_length=64, blank=True)
    finding_count = models.PositiveIntegerField(default=0)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    source = models.CharField(max_length=16, default="upload", help_text="upload or file import")
    raw = models.BinaryField(help_text="the uploaded JSON: gzip as received, or zlib")
    raw_size = models.PositiveIntegerField(default=0)
    # the first answer, replayed verbatim to a repeated upload of the same report_id
    response_status = models.PositiveSmallIntegerField(default=201)
    response_body = models.JSONField(default=dict)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["device", "-received_at"]),
            # retention (reports/prune.py) works through old reports one day at a time
            models.Index(fields=["received_at"], name="ingest_report_received_idx"),
        ]
        verbose_name = _("report")

    def __str__(self) -> str:
        return f"{self.report_id} ({self.verdict or '-'})"

    @staticmethod
    def compress(raw_json: bytes) -> bytes:
        return zlib.compress(raw_json, 1)

    def raw_bytes(self) -> bytes:
        """The report's JSON exactly as uploaded (stored gzip as received, or zlib)."""
        data = bytes(self.raw)
        if data[:2] == b"\x1f\x8b":
            return gzip.decompress(data)
        return zlib.decompress(data)

    def raw_json(self) -> dict:
        return json.loads(self.raw_bytes())


class Finding(models.Model):
    """One piece of evidence of a report, flattened for listing and filtering."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="findings")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="findings")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    strength = models.CharField(_("strength"), max_length=16)
    weight = models.FloatField(default=1.0)
    passive_hint = models.BooleanField(null=True)
    title_zh = models.CharField(max_length=500)
    title_en = models.CharField(max_length=500)
    action_zh = models.TextField(blank=True)
    action_en = models.TextField(blank=True)
    subject = models.CharField(_("subject"), max_length=1024, blank=True)
    rule = models.CharField(_("rule"), max_length=255, blank=True)
    signature_version = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-received_at", "id"]
        verbose_name = _("finding")

    def title(self, lang: str = "zh") -> str:
        return self.title_en if lang.startswith("en") else self.title_zh

    def action(self, lang: str = "zh") -> str:
        return self.action_en if lang.startswith("en") else self.action_zh


class HeldStatus(models.TextChoices):
    held = "held", _("Held for review")
    accepted = "accepted", _("Accepted")
    rejected = "rejected", _("Rejected")


class HeldHandcarry(models.Model):
    """A hand-carry file that is intact but signed with a key the collector has not bound to
    its device: kept, not applied, until a person accepts or rejects it."""

    sha256 = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    report_id = models.UUIDField(db_index=True)
    fingerprint = models.CharField(max_length=128)
    hostname = models.CharField(max_length=255, blank=True)
    verdict = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    public_key = models.CharField(max_length=64)
    reason = models.CharField(max_length=255)
    device = models.ForeignKey(
        "ledger.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "ledger.Organisation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="where a device not in the ledger goes",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=HeldStatus.choices, default=HeldStatus.held, db_index=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        db_table = "distribution_heldhandcarry"  # made by the signatures app (label distribution)
