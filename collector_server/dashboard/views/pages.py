"""Overview, ledger list, device page and findings list (thin: logic lives in services)."""

from __future__ import annotations

import ipaddress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collector_server.accounts.scoping import (
    can_edit_ledger,
    get_device_or_404,
    get_org_or_404,
    scope_devices,
    visible_devices,
    visible_orgs,
)
from collector_server.dashboard.services.findings_groups import group_by_device
from collector_server.ingest.models import Finding
from collector_server.ledger.models import Verdict
from collector_server.ledger.services import match_address, revoke_device_tokens

from ..forms import DeviceLedgerForm
from ..services.device_detail import device_detail
from ..services.ledger_query import (
    SEEN_CHOICES,
    LedgerFilter,
    filter_devices,
    ledger_page,
    search_page,
)
from ..services.overview import build_overview
from ..services.permissions import require_edit


def _org_options(user, selected) -> str:
    """The <option>s of the organisation filter, indented by depth (built in Python: a
    county has hundreds of schools and template loops over them cost more than the query)."""
    selected_pk = getattr(selected, "pk", selected)
    rows = visible_orgs(user).values_list("pk", "name", "path")
    return format_html_join(
        "", '<option value="{}"{}>{}{}</option>',
        ((pk, mark_safe(" selected") if str(pk) == str(selected_pk) else "",
          "\u00a0\u00a0" * max(path.count("/") - 2, 0), name) for pk, name, path in rows))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/overview.html",
                  {"nav": "overview", "o": build_overview(request.user)})


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
            address = match_address(f.q, visible_devices(request.user))
    return render(request, "dashboard/ledger.html", {
        "nav": "ledger", "f": f, "page": page,
        "org_options": _org_options(request.user, f.org),
        "verdicts": [("none", Verdict.unknown.label), *Verdict.choices[1:]],
        "seen_choices": _seen_labels(), "qs": f.querystring(), "address": address,
    })


def _seen_labels() -> list[tuple[str, str]]:
    labels = {"24h": _("in the last 24 hours"), "7d": _("in the last 7 days"),
              "30d": _("in the last 30 days"), "stale": _("not for 14 days or more"),
              "never": _("never reported")}
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
            return redirect("dashboard:device", pk=dev.pk)
    return render(request, "dashboard/device.html", {
        "nav": "ledger", "d": dev, "form": form, "editable": editable,
        "detail": device_detail(dev), "lang": "en" if get_language().startswith("en") else "zh",
        "ancestors": dev.organisation.ancestors(),
    })


@login_required
def device_revoke_tokens(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a device's tokens: GET shows what will happen, POST (the confirmation) does it."""
    dev = get_device_or_404(request.user, pk=pk)
    require_edit(request.user, dev.organisation)
    if request.method == "POST":
        count = revoke_device_tokens(dev, reason="revoked by staff")
        messages.success(request, _("%(count)d device token(s) of %(device)s revoked; its agent "
                                    "must be enrolled again.") % {"count": count, "device": dev})
        return redirect("dashboard:device", pk=dev.pk)
    usable = dev.tokens.filter(revoked=False).count()
    return render(request, "dashboard/device_revoke.html",
                  {"nav": "ledger", "d": dev, "usable": usable})


@login_required
def findings(request: HttpRequest) -> HttpResponse:
    qs = scope_devices(Finding.objects.all(), request.user, field="device__organisation")
    org_id = request.GET.get("org", "").strip()
    org = get_org_or_404(request.user, pk=org_id) if org_id else None
    if org is not None:
        qs = qs.filter(device__organisation__path__startswith=org.path)
    verdict = request.GET.get("verdict", "")
    if verdict in {"clean", "suspicious", "mining"}:
        qs = qs.filter(report__verdict=verdict)
    mode = request.GET.get("mode", "")
    if mode in {"active", "passive"}:
        qs = qs.filter(report__mode=mode)
    strength = request.GET.get("strength", "")
    if strength in {"strong", "weak", "info"}:
        qs = qs.filter(strength=strength)
    qs = qs.select_related("device", "device__organisation", "report").only(
        "id", "received_at", "kind", "strength", "title_zh", "title_en", "action_zh",
        "action_en", "subject", "rule", "passive_hint", "device__id", "device__hostname",
        "device__organisation__name", "report__verdict", "report__mode",
    ).order_by("-received_at", "id")
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "dashboard/findings.html", {
        "nav": "findings", "page": page, "groups": group_by_device(list(page)),
        "org_options": _org_options(request.user, org_id),
        "sel": {"org": org_id, "verdict": verdict, "mode": mode, "strength": strength},
        "qs": params.urlencode(), "lang": "en" if get_language().startswith("en") else "zh",
    })
