"""`manage stale_devices`: devices with no report for max(2 x scan interval, 48 h)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from collector_server.ledger.models import Device
from collector_server.ledger.stale import silent_for, stale_devices


class Command(BaseCommand):
    help = "List devices that stopped reporting (max(2 x scan interval, 48 h) without a report)"

    def handle(self, *args, **options) -> None:
        now = timezone.now()
        rows = list(
            stale_devices(Device.objects.select_related("organisation"), now).order_by("last_seen")
        )
        for d in rows:
            hours = silent_for(d, now).total_seconds() / 3600
            self.stdout.write(f"{d.pk}\t{d}\t{d.organisation.name}\tsilent {hours:.0f} h")
        self.stdout.write(f"{len(rows)} device(s) stopped reporting")
