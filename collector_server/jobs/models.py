"""A background job's row: what it is, whose it is, how far it got, its file or its error."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    queued = "queued", _("queued")
    running = "running", _("running")
    done = "done", _("done")
    failed = "failed", _("failed")


class Job(models.Model):
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    organisation = models.ForeignKey(
        "ledger.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.queued)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=300, blank=True)
    result_file = models.CharField(
        max_length=300, blank=True, help_text="path relative to the data folder"
    )
    result_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.done, JobState.failed)
