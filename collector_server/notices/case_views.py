"""Case pages: list (state / deadline filters), detail with the state actions and history."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from collector_server.ledger.models import Device
from collector_server.notices import services
from collector_server.notices.access import (
    get_case_or_404,
    is_bureau,
    require_bureau,
    require_case_edit,
    visible_cases,
)
from collector_server.notices.forms import CloseForm, LocateForm, ReturnForm, WrittenReportForm
from collector_server.notices.models import CaseState, Match, WrittenReport

FLAGS = ("overdue", "due_soon")


def annotate(cases, now=None) -> list:
    """Each case with .flag ('overdue' / 'due_soon' / '') and .due (the date it waits for)."""
    now = now or timezone.now()
    out = []
    for case in cases:
        case.flag = services.deadline_flag(case, now)
        case.due = (
            services.locate_due(case)
            if case.state == CaseState.received
            else services.report_due(case)
            if case.state == CaseState.located
            else None
        )
        out.append(case)
    return out


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    state, flag = request.GET.get("state", ""), request.GET.get("flag", "")
    qs = visible_cases(request.user).order_by("-received_at", "-id")
    if state in CaseState.values:
        qs = qs.filter(state=state)
    cases = annotate(qs[:1000])
    if flag in FLAGS:
        cases = [c for c in cases if c.flag == flag]
    return render(
        request,
        "notices/case_list.html",
        {"nav": "cases", "cases": cases, "state": state, "flag": flag, "states": CaseState.choices},
    )


def _devices(case) -> object:
    return Device.objects.filter(organisation=case.organisation).order_by("hostname")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    annotate([case])
    written = WrittenReport.objects.filter(case=case).first()
    repeats = services.repeat_devices()
    locked = list(case.devices.all())
    for device in locked:
        device.repeat = repeats.get(device.pk, 0)
    matches = Match.objects.select_related("device", "indicator").filter(
        indicator__notice=case.notice, organisation=case.organisation
    )
    initial = {"devices": [d.pk for d in services.candidate_devices(case)]}
    report_initial = (
        {
            k: getattr(written, k)
            for k in ("mining_mode", "mode_reason", "actions", "accountability")
        }
        if written
        else {}
    )
    return render(
        request,
        "notices/case_detail.html",
        {
            "nav": "cases",
            "case": case,
            "matches": matches,
            "locked": locked,
            "candidates": services.candidate_devices(case),
            "written": written,
            "locate_form": LocateForm(devices=_devices(case), initial=initial),
            "report_form": WrittenReportForm(initial=report_initial),
            "close_form": CloseForm(),
            "return_form": ReturnForm(),
            "unclean": services.unclean_devices(case) if case.located_at else [],
            "blockers": services.close_blockers(case) if case.state != "closed" else [],
            "events": case.events.select_related("actor"),
            "bureau": is_bureau(request.user),
        },
    )


def _fail(request: HttpRequest, case, exc: Exception) -> HttpResponse:
    messages.error(request, str(exc))
    return redirect("notices:case", pk=case.pk)


@login_required
@require_POST
def case_locate(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    require_case_edit(request.user, case)
    form = LocateForm(request.POST, devices=_devices(case))
    if not form.is_valid():
        messages.error(request, _("Pick at least one device and name the responsible person."))
        return redirect("notices:case", pk=case.pk)
    try:
        services.locate(
            case,
            form.cleaned_data["devices"],
            form.cleaned_data["responsible_person"],
            user=request.user,
        )
    except services.CaseError as exc:
        return _fail(request, case, exc)
    messages.success(request, _("Device(s) and responsible person locked."))
    return redirect("notices:case", pk=case.pk)


@login_required
@require_POST
def case_report(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the free-text parts; with action=submit also submit the report."""
    case = get_case_or_404(request.user, pk)
    require_case_edit(request.user, case)
    form = WrittenReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the report fields."))
        return redirect("notices:case", pk=case.pk)
    try:
        services.save_written_report(case, form.cleaned_data, user=request.user)
        if request.POST.get("action") == "submit":
            services.submit_report(case, user=request.user)
            messages.success(request, _("Written report submitted to the bureau."))
        else:
            messages.success(request, _("Written report saved."))
    except services.CaseError as exc:
        return _fail(request, case, exc)
    return redirect("notices:case", pk=case.pk)


@login_required
@require_POST
def case_return(request: HttpRequest, pk: int) -> HttpResponse:
    require_bureau(request.user)
    case = get_case_or_404(request.user, pk)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CaseError(_("Returning a report needs a comment."))
        services.return_report(case, form.cleaned_data["comment"], user=request.user)
    except services.CaseError as exc:
        return _fail(request, case, exc)
    messages.success(request, _("Report returned to the school."))
    return redirect("notices:case", pk=case.pk)


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_or_404(request.user, pk)
    require_case_edit(request.user, case)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.close(case, reason=reason, user=request.user)
    except services.CaseError as exc:
        return _fail(request, case, exc)
    messages.success(request, _("Case closed."))
    return redirect("notices:case", pk=case.pk)
