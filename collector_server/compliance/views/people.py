"""The people register: list, add, edit, XLSX export and import (dry run, then confirm)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collector_server.accounts.permissions import can_edit_ledger
from collector_server.web import uploads

from ..access import get_or_404, units, visible_people
from ..forms import ImportForm, PersonForm
from ..people import export_people, import_people
from ..pledges import needs_pledge, people_with_pledge, resign_ids
from .common import XLSX, download

SESSION_KEY = "compliance_people_import"


def _filtered(request: HttpRequest):
    people = people_with_pledge(visible_people(request.user)).select_related("organisation")
    org = request.GET.get("org", "")
    if org.isdigit():
        people = people.filter(organisation_id=int(org))
    if request.GET.get("pledge") == "missing":
        people = people.filter(pk__in=needs_pledge(people).values("pk"))
    elif request.GET.get("pledge") == "signed":
        people = people.filter(signed=True)
    return people.prefetch_related("devices")


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    people = list(_filtered(request)[:2000])
    resign = resign_ids(visible_people(request.user).filter(pk__in=[p.pk for p in people]))
    return render(
        request,
        "compliance/people.html",
        {
            "nav": "compliance",
            "people": people,
            "resign": resign,
            "units": units(request.user),
            "editable": can_edit_ledger(request.user),
            "query": request.GET,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    person = get_or_404(visible_people(request.user), pk=pk) if pk else None
    if request.method == "POST" and not can_edit_ledger(
        request.user, person.organisation if person else None
    ):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person, units=units(request.user))
    if request.method == "POST" and form.is_valid():
        if not can_edit_ledger(request.user, form.cleaned_data["organisation"]):
            raise PermissionDenied
        saved = form.save()
        messages.success(request, _("%(name)s saved.") % {"name": saved.name})
        return redirect("compliance:people")
    return render(
        request,
        "compliance/person_form.html",
        {"nav": "compliance", "form": form, "person": person},
    )


@login_required
def people_export(request: HttpRequest) -> HttpResponse:
    out = io.BytesIO()
    export_people(_filtered(request), out)
    name = f"people-{timezone.localtime().strftime('%Y%m%d-%H%M')}.xlsx"
    return download(out.getvalue(), name, XLSX)


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and preview (dry run). Step 2 (action=confirm): apply the same file."""
    editable = can_edit_ledger(request.user)
    context = {"nav": "compliance", "editable": editable, "form": ImportForm()}
    if request.method == "POST" and not editable:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = uploads.take(request, SESSION_KEY)
        if stored is None:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect("compliance:people_import")
        try:
            result = import_people(stored["path"], request.user, dry_run=False)
        finally:
            stored["path"].unlink(missing_ok=True)
        if result.applied:
            messages.success(request, _("%(count)d people saved.") % {"count": len(result.changes)})
        context.update(result=result, filename=stored["name"])
        return render(request, "compliance/people_import.html", context)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            path = uploads.save_upload(upload)
            result = import_people(path, request.user, dry_run=True)
            if result.ok and result.changes:
                uploads.remember(request, SESSION_KEY, path, upload.name)
            else:
                path.unlink(missing_ok=True)
            context.update(result=result, filename=upload.name)
    return render(request, "compliance/people_import.html", context)
