"""Devices that stopped reporting: no report for more than max(2 x their effective scan
interval, 48 h). A miner that kills the agent is itself a signal."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from collector_server.ledger.models import AgentSettings, Device, DeviceStatus, Organisation

MIN_SILENCE = timedelta(hours=48)


def threshold_for(interval_minutes: int | float) -> timedelta:
    return max(2 * timedelta(minutes=float(interval_minutes)), MIN_SILENCE)


def org_thresholds(orgs=None) -> dict[timedelta, list[int]]:
    """Organisations grouped by their stale threshold (from inherited agent settings)."""
    groups: dict[timedelta, list[int]] = defaultdict(list)
    rows = list((orgs if orgs is not None else Organisation.objects.all()).only("id", "path"))
    settings_rows = {
        s.organisation_id: s.scan_interval_minutes
        for s in AgentSettings.objects.exclude(scan_interval_minutes=None)
    }
    default = AgentSettings.DEFAULTS["scan_interval_minutes"]
    for org in rows:
        interval = default
        for org_id in (int(p) for p in org.path.strip("/").split("/") if p):
            interval = settings_rows.get(org_id, interval)  # deeper ones override
        groups[threshold_for(interval)].append(org.pk)
    return groups


def stale_q(now: datetime | None = None) -> Q:
    """A filter on Device: silent for longer than its threshold (never-reporting devices
    count from their enrollment), retired devices and devices without the agent excluded."""
    now = now or timezone.now()
    q = Q(pk__in=[])
    for threshold, org_ids in org_thresholds().items():
        cutoff = now - threshold
        silent = Q(last_seen__lt=cutoff) | Q(last_seen__isnull=True, first_seen__lt=cutoff)
        q |= Q(organisation_id__in=org_ids) & silent
    return q & ~Q(status=DeviceStatus.retired) & Q(runs_agent=True)


def stale_devices(
    qs: QuerySet[Device] | None = None, now: datetime | None = None
) -> QuerySet[Device]:
    qs = qs if qs is not None else Device.objects.all()
    return qs.filter(stale_q(now))


def is_stale(device: Device, now: datetime | None = None) -> bool:
    return stale_devices(Device.objects.filter(pk=device.pk), now).exists()


def silent_for(device: Device, now: datetime | None = None) -> timedelta:
    now = now or timezone.now()
    return now - (device.last_seen or device.first_seen)
