"""Pledge pages: completion, printable PDFs, signed-scan upload and download, deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from collector_server.accounts.permissions import can_edit_ledger
from collector_server.accounts.scoping import get_org_or_404, visible_orgs
from collector_server.ledger.models import OrgKind

from ..access import UNIT_KINDS, get_or_404, is_bureau, units, visible_people, visible_pledges
from ..due import due_this_week, overdue_cases
from ..forms import ScanForm, SettingsForm
from ..models import PledgeSettings
from ..pdf import FontMissingError, pledges_pdf
from ..pledges import ScanError, completion, effective_settings, scan_path, store_scan
from .common import PDF, download

BUREAU_KINDS = (OrgKind.county, OrgKind.city, OrgKind.province)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What is due this week, and pledge completion per school and per county."""
    orgs = visible_orgs(request.user)
    bureaus = [completion(o) for o in orgs.filter(kind__in=BUREAU_KINDS)]
    schools = [completion(o) for o in orgs.filter(kind__in=UNIT_KINDS).order_by("name")]
    settings_forms = {}
    if is_bureau(request.user):
        for c in bureaus:
            row = PledgeSettings.objects.filter(organisation=c.organisation).first()
            settings_forms[c.organisation.pk] = SettingsForm(instance=row)
    return render(
        request,
        "compliance/home.html",
        {
            "nav": "compliance",
            "due": due_this_week(request.user),
            "bureaus": bureaus,
            "schools": schools,
            "bureau": is_bureau(request.user),
            "settings_forms": [(c, settings_forms.get(c.organisation.pk)) for c in bureaus],
        },
    )


@login_required
@require_POST
def set_settings(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_org_or_404(request.user, pk=org_id)
    if not is_bureau(request.user) or org.kind not in BUREAU_KINDS:
        raise PermissionDenied
    row = PledgeSettings.objects.filter(organisation=org).first() or PledgeSettings(
        organisation=org
    )
    form = SettingsForm(request.POST, instance=row)
    if form.is_valid():
        saved = form.save(commit=False)
        saved.updated_by = request.user
        saved.save()
        messages.success(request, _("Pledge deadline saved."))
    else:
        messages.error(
            request, _("The deadline was not saved: %(errors)s") % {"errors": form.errors.as_text()}
        )
    return redirect("compliance:home")


@login_required
def overdue_cases_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "compliance/overdue_cases.html",
        {"nav": "compliance", "cases": overdue_cases(request.user)},
    )


@login_required
def pledge_list(request: HttpRequest) -> HttpResponse:
    pledges = visible_pledges(request.user).select_related("organisation", "person")
    return render(
        request,
        "compliance/pledges.html",
        {"nav": "compliance", "pledges": pledges[:1000], "units": units(request.user)},
    )


def _pdf_response(pages: list[dict], filename: str) -> HttpResponse:
    try:
        data = pledges_pdf(pages)
    except FontMissingError as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return download(data, filename, PDF)


def _variant(request: HttpRequest, organisation) -> str:
    return request.GET.get("variant") or effective_settings(organisation)["variant"]


@login_required
def person_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_or_404(visible_people(request.user).select_related("organisation"), pk=pk)
    unit = person.organisation
    return _pdf_response(
        [
            {
                "variant": _variant(request, unit),
                "name": person.name,
                "unit": unit.name,
                "day": timezone.localdate(),
            }
        ],
        f"pledge-{person.pk}.pdf",
    )


@login_required
def unit_pdf(request: HttpRequest, org_id: int) -> HttpResponse:
    unit = get_or_404(units(request.user), pk=org_id)
    return _pdf_response(
        [
            {
                "variant": _variant(request, unit),
                "name": unit.name,
                "unit": unit.name,
                "day": timezone.localdate(),
            }
        ],
        f"pledge-unit-{unit.pk}.pdf",
    )


@login_required
def batch_pdf(request: HttpRequest, org_id: int) -> HttpResponse:
    """The unit's pledge, then one page per active person (only missing ones: ?missing=1)."""
    unit = get_or_404(units(request.user), pk=org_id)
    variant, day = _variant(request, unit), timezone.localdate()
    people = unit.people.filter(active=True).order_by("name", "pk")
    if request.GET.get("missing"):
        people = people.filter(pledges__isnull=True)
    pages = [{"variant": variant, "name": unit.name, "unit": unit.name, "day": day}]
    pages += [{"variant": variant, "name": p.name, "unit": unit.name, "day": day} for p in people]
    return _pdf_response(pages, f"pledges-{unit.pk}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def upload_scan(request: HttpRequest) -> HttpResponse:
    """Upload a signed pledge for a person (?person=ID) or for a unit (?org=ID)."""
    person_id = request.GET.get("person") or request.POST.get("person")
    org_id = request.GET.get("org") or request.POST.get("org")
    person = (
        get_or_404(visible_people(request.user).select_related("organisation"), pk=person_id)
        if person_id
        else None
    )
    if person is None and not org_id:
        raise Http404("give a person or an organisation")
    unit = person.organisation if person else get_or_404(units(request.user), pk=org_id)
    form = ScanForm(
        request.POST or None,
        request.FILES or None,
        initial={"variant": effective_settings(unit)["variant"]},
    )
    status = 200
    if request.method == "POST":
        if not can_edit_ledger(request.user, unit):
            raise PermissionDenied
        if form.is_valid():
            try:
                store_scan(
                    form.cleaned_data["file"],
                    organisation=unit,
                    person=person,
                    signed_on=form.cleaned_data["signed_on"],
                    variant=form.cleaned_data["variant"],
                    user=request.user,
                )
            except ScanError as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                messages.success(
                    request,
                    _("The signed pledge of %(name)s is saved.")
                    % {"name": person.name if person else unit.name},
                )
                return redirect("compliance:pledges")
        else:
            status = 400
    return render(
        request,
        "compliance/upload.html",
        {"nav": "compliance", "form": form, "person": person, "unit": unit},
        status=status,
    )


@login_required
def scan_download(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = get_or_404(visible_pledges(request.user), pk=pk)
    path = scan_path(pledge)
    if not path.is_file():
        raise Http404("scan file missing")
    return FileResponse(
        path.open("rb"),
        content_type=pledge.scan_type,
        filename=pledge.scan_name,
        as_attachment=True,
    )
