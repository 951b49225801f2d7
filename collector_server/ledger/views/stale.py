"""The list of devices that stopped reporting."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collector_server.accounts.permissions import bureau_only
from collector_server.accounts.scoping import scope_devices
from collector_server.ledger.models import Device
from collector_server.ledger.stale import silent_for, stale_devices


@bureau_only
def stale_page(request: HttpRequest) -> HttpResponse:
    devices = stale_devices(scope_devices(Device.objects.all(), request.user)).select_related(
        "organisation"
    )
    rows = [(d, silent_for(d)) for d in devices.order_by("last_seen")[:500]]
    return render(request, "ledger/stale.html", {"rows": rows, "nav": "stale"})
