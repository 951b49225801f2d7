"""Suspected duplicate devices (same identity part, different fingerprints) for a person to
merge: a re-imaged PC whose identity changed, or two clones that must stay apart."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collector_server.accounts.permissions import require_edit
from collector_server.accounts.scoping import get_device_or_404, scope_devices
from collector_server.ledger.models import Device
from collector_server.ledger.services import (
    MoveRefused,
    find_duplicates,
    merge_devices,
    visible_pending_moves,
)
from collector_server.ledger.services import decide_move as ledger_decide_move


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    devices = scope_devices(Device.objects.all(), request.user)
    groups = find_duplicates(devices)
    moves = visible_pending_moves(devices)
    return render(
        request, "ledger/duplicates.html", {"nav": "duplicates", "groups": groups, "moves": moves}
    )


@login_required
@require_POST
def decide_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject a pending move (only a user who sees and may edit both entries)."""
    devices = scope_devices(Device.objects.all(), request.user)
    move = get_object_or_404(visible_pending_moves(devices), pk=pk)
    require_edit(request.user, move.from_organisation)
    require_edit(request.user, move.to_organisation)
    accept = request.POST.get("decision") == "move"
    try:
        ledger_decide_move(move, accept=accept, user=request.user)
    except MoveRefused:
        messages.error(request, _("This move was already decided."))
        return redirect("ledger:duplicates")
    if accept:
        messages.success(
            request,
            _("%(device)s moved to %(org)s.")
            % {"device": move.device, "org": move.to_organisation},
        )
    else:
        messages.success(
            request,
            _(
                "Move rejected: %(device)s stays in %(org)s; the other "
                "enrollment's device token was revoked."
            )
            % {"device": move.device, "org": move.from_organisation},
        )
    return redirect("ledger:duplicates")


@login_required
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    keep = get_device_or_404(request.user, pk=request.POST.get("keep"))
    other = get_device_or_404(request.user, pk=request.POST.get("other"))
    require_edit(request.user, keep.organisation)
    require_edit(request.user, other.organisation)
    if keep.pk == other.pk:
        messages.error(request, _("A device cannot be merged with itself."))
    else:
        merge_devices(keep, other)
        messages.success(
            request,
            _("Merged %(other)s into %(keep)s.") % {"other": other.hostname, "keep": keep.hostname},
        )
    return redirect("ledger:duplicates")
