"""Suspected duplicate devices (same identity part, different fingerprints) for a person to
merge: a re-imaged PC whose identity changed, or two clones that must stay apart."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collector_server.accounts.scoping import get_device_or_404, scope_devices
from collector_server.ledger.models import Device
from collector_server.ledger.services import find_duplicates, merge_devices

from ..services.permissions import require_edit


@login_required
def duplicates(request: HttpRequest) -> HttpResponse:
    groups = find_duplicates(scope_devices(Device.objects.all(), request.user))
    return render(request, "dashboard/duplicates.html", {"nav": "duplicates", "groups": groups})


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
    return redirect("dashboard:duplicates")
