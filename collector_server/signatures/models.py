"""Signature bundles the collector built and signed, and the lists/rules a bureau imported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    lists = "lists", _("Address/domain list")
    rules = "rules", _("YARA rules")


class SignatureImport(models.Model):
    """One imported file; every bundle is the shipped default plus all accepted imports."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=8, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    content = models.BinaryField()
    note = models.CharField(max_length=500, blank=True)
    added = models.JSONField(default=dict, blank=True, help_text="list file -> new entries")
    problems = models.JSONField(default=list, blank=True, help_text="bad lines (skipped)")
    bundle = models.ForeignKey(
        "SignatureBundle", null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )

    class Meta:
        ordering = ["created_at", "id"]


class SignatureBundle(models.Model):
    """A signed bundle archive (tar.gz with manifest.json); agents fetch the newest."""

    version = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    signature = models.TextField(help_text="base64 Ed25519 signature over the archive bytes")
    size = models.PositiveIntegerField()
    archive = models.BinaryField()
    notes = models.TextField(blank=True)
    source_files = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.version
