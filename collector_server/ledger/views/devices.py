"""Ledger list, device page, device token revocation (thin: logic lives in services)."""

from __future__ import annotations

import ipaddress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collector_server.accounts.permissions import can_edit_ledger, require_edit
from collector_server.accounts.scoping import get_device_or_404, scope_devices
from collector_server.ledger.device_detail import device_detail
from collector_server.ledger.forms import DeviceLedgerForm, org_options
from collector_server.ledger.models import Device, Verdict
from collector_server.ledger.query import (
    SEEN_CHOICES,
    LedgerFilter,
    filter_devices,
    ledger_page,
    search_page,
)
from collector_server.ledger.services import match_address, revoke_device_tokens


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    f = LedgerFilter.from_query(request.GET, request.user)
    qs = filter_devices(request.user, f)
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    page = (search_page(qs, after, before) if f.q else None) or ledger_page(qs, after, before)
    address = None
    if f.q and not (after or before):
        try:
            ipaddress.ip_address(f.q)
        except ValueError:
            pass
        else:  # an address from a notice: whose egress line / range / upload is it?
            address = match_address(f.q, scope_devices(Device.objects.all(), request.user))
    return render(
        request,
        "ledger/ledger.html",
        {
            "nav": "ledger",
            "f": f,
            "page": page,
            "org_options": org_options(request.user, f.org),
            "verdicts": [("none", Verdict.unknown.label), *Verdict.choices[1:]],
            "seen_choices": _seen_labels(),
            "qs": f.querystring(),
            "address": address,
        },
    )


def _seen_labels() -> list[tuple[str, str]]:
    labels = {
        "24h": _("in the last 24 hours"),
        "7d": _("in the last 7 days"),
        "30d": _("in the last 30 days"),
        "stale": _("not for 14 days or more"),
        "never": _("never reported"),
    }
    return [(key, labels[key]) for key in SEEN_CHOICES]


@login_required
@require_http_methods(["GET", "POST"])
def device(request: HttpRequest, pk: int) -> HttpResponse:
    dev = get_device_or_404(request.user, pk=pk)
    editable = can_edit_ledger(request.user, dev.organisation)
    form = DeviceLedgerForm(instance=dev)
    if request.method == "POST":
        require_edit(request.user, dev.organisation)
        form = DeviceLedgerForm(request.POST, instance=dev)
        if form.is_valid():
            form.save()
            messages.success(request, _("Ledger fields saved."))
            return redirect("ledger:device", pk=dev.pk)
    return render(
        request,
        "ledger/device.html",
        {
            "nav": "ledger",
            "d": dev,
            "form": form,
            "editable": editable,
            "detail": device_detail(dev),
            "lang": "en" if get_language().startswith("en") else "zh",
            "ancestors": dev.organisation.ancestors(),
        },
    )


@login_required
def device_revoke_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a device's tokens: GET shows what will happen, POST (the confirmation) does it."""
    dev = get_device_or_404(request.user, pk=pk)
    require_edit(request.user, dev.organisation)
    if request.method == "POST":
        count = revoke_device_tokens(dev, reason="revoked by staff")
        messages.success(
            request,
            _("%(count)d device token(s) of %(device)s revoked; its agent must be enrolled again.")
            % {"count": count, "device": dev},
        )
        return redirect("ledger:device", pk=dev.pk)
    usable = dev.tokens.filter(revoked=False).count()
    return render(
        request, "ledger/device_revoke.html", {"nav": "ledger", "d": dev, "usable": usable}
    )
