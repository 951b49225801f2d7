"""Retention: reports received longer ago than MINECHECK_REPORT_RETENTION_DAYS are thinned.

Of the old reports these stay: the latest received per device per day (UTC), every report
with findings, every report a notice match names, every report of a device a notice case
refers to (cases link devices, not reports), and each device's current report. The rest is
deleted one UTC day at a time in short batches (findings go with their report; only clean
reports are deleted, so there are none). Running it again deletes nothing more: the kept
report of a day stays the latest of that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from collector_server.reports.models import Report

BATCH = 2000


@dataclass
class PruneResult:
    cutoff: datetime | None
    old: int  # reports received before the cutoff
    deleted: int  # deleted (or, in a dry run, that would be)
    dry_run: bool

    @property
    def kept(self) -> int:
        return self.old - self.deleted


def cutoff_for(now: datetime, days: float | None = None) -> datetime | None:
    days = settings.MINECHECK_REPORT_RETENTION_DAYS if days is None else days
    return None if days <= 0 else now - timedelta(days=days)


def prunable(cutoff: datetime, using: str = "default", since: datetime | None = None) -> QuerySet:
    """The old reports (received before ``cutoff``, from ``since`` on, a UTC midnight) that
    thinning deletes (set-based: one statement, no rows in Python)."""
    from collector_server.ledger.models import Device
    from collector_server.notices.models import Case, Match

    reports = Report.objects.using(using)
    old = reports.filter(received_at__lt=cutoff)
    if since is not None:
        old = old.filter(received_at__gte=since)
    latest_of_day = (
        old.annotate(day=TruncDate("received_at", tzinfo=dt_timezone.utc))
        .order_by()
        .values("device_id", "day")
        .annotate(last=Max("id"))
        .values("last")
    )
    matched = Match.objects.using(using).filter(report_id__isnull=False).values("report_id")
    case_devices = Case.devices.through.objects.using(using).values("device_id")
    current = (
        Device.objects.using(using).filter(last_report_id__isnull=False).values("last_report_id")
    )
    return old.filter(finding_count=0).exclude(
        Q(pk__in=latest_of_day)
        | Q(report_id__in=matched)
        | Q(device_id__in=case_devices)
        | Q(report_id__in=current)
    )


def prune_reports(
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    days: float | None = None,
    using: str = "default",
    progress=None,
) -> PruneResult:
    """Thin the old reports (see the module docstring); ``dry_run`` only counts."""
    now = now or timezone.now()
    cutoff = cutoff_for(now, days)
    if cutoff is None:
        return PruneResult(None, 0, 0, dry_run)
    old = Report.objects.using(using).filter(received_at__lt=cutoff).count()
    if dry_run:
        return PruneResult(cutoff, old, prunable(cutoff, using).count(), True)
    deleted = 0
    first = (
        Report.objects.using(using)
        .filter(received_at__lt=cutoff)
        .aggregate(first=Min("received_at"))["first"]
    )
    day = (
        first.astimezone(dt_timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        if first
        else cutoff
    )
    while day < cutoff:
        # one UTC day at a time (the received_at index bounds each query), short
        # transactions of one batch each: uploads keep going meanwhile
        end = min(day + timedelta(days=1), cutoff)
        while True:
            ids = list(
                prunable(end, using, since=day).order_by().values_list("pk", flat=True)[:BATCH]
            )
            if not ids:
                break
            with transaction.atomic(using=using):
                deleted += (
                    Report.objects.using(using)
                    .filter(pk__in=ids)
                    .delete()[1]
                    .get(Report._meta.label, 0)
                )
            if progress is not None:
                progress(min(0.95, deleted / max(old, 1)), f"{deleted} reports deleted")
        day += timedelta(days=1)
    return PruneResult(cutoff, old, deleted, False)
