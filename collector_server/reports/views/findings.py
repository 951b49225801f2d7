"""The findings list, grouped by device and incident."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from collector_server.accounts.scoping import get_org_or_404, scope_devices
from collector_server.ledger.forms import org_options
from collector_server.reports.findings_groups import group_by_device
from collector_server.reports.models import Finding


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
    qs = (
        qs.select_related("device", "device__organisation", "report")
        .only(
            "id",
            "received_at",
            "kind",
            "strength",
            "title_zh",
            "title_en",
            "action_zh",
            "action_en",
            "subject",
            "rule",
            "passive_hint",
            "device__id",
            "device__hostname",
            "device__organisation__name",
            "report__verdict",
            "report__mode",
        )
        .order_by("-received_at", "id")
    )
    paginator = Paginator(qs, 50)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/findings.html",
        {
            "nav": "findings",
            "page": page,
            "groups": group_by_device(list(page)),
            "org_options": org_options(request.user, org_id),
            "sel": {"org": org_id, "verdict": verdict, "mode": mode, "strength": strength},
            "qs": params.urlencode(),
            "lang": "en" if get_language().startswith("en") else "zh",
        },
    )
