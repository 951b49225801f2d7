"""Ledger export download and the import page (dry-run preview, then confirm)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collector_server.accounts.permissions import can_edit_ledger
from collector_server.accounts.scoping import visible_orgs
from collector_server.ledger.excel import export_ledger, export_networks, import_ledger
from collector_server.ledger.forms import ImportForm
from collector_server.ledger.query import LedgerFilter, filter_devices
from collector_server.web import uploads

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
SESSION_KEY = "ledger_import"


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The ledger rows the user may see, with the list page's filters, as a file."""
    if fmt not in CONTENT_TYPES:
        return HttpResponseBadRequest("format must be xlsx or csv")
    f = LedgerFilter.from_query(request.GET, request.user)
    qs = filter_devices(request.user, f)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    export_ledger(qs, fmt, spool, networks=_network_orgs(request, f))
    spool.seek(0)
    name = f"ledger-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{fmt}"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES[fmt])


def _network_orgs(request: HttpRequest, f: LedgerFilter):
    """The organisations whose egress lines and IP ranges go with an export."""
    orgs = visible_orgs(request.user)
    return orgs.filter(path__startswith=f.org.path) if f.org is not None else orgs


@login_required
def export_networks_csv(request: HttpRequest) -> HttpResponse:
    """Egress lines and IP ranges as CSV (the XLSX export has them as a second sheet)."""
    f = LedgerFilter.from_query(request.GET, request.user)
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    export_networks(_network_orgs(request, f), spool)
    spool.seek(0)
    name = f"networks-{timezone.localtime().strftime('%Y%m%d-%H%M')}.csv"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=CONTENT_TYPES["csv"])


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and preview (dry run). Step 2 (action=confirm): apply the same file."""
    editable = can_edit_ledger(request.user)
    context = {"nav": "import", "editable": editable, "form": ImportForm()}
    if request.method == "POST" and not editable:
        messages.error(request, _("Your account may only read the ledger."))
        return redirect("ledger:ledger_import")
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = uploads.take(request, SESSION_KEY)
        if stored is None:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect("ledger:ledger_import")
        try:
            result = import_ledger(stored["path"], request.user, dry_run=False)
        finally:
            stored["path"].unlink(missing_ok=True)
        context.update(result=result, filename=stored["name"])
        if result.applied:
            messages.success(
                request, _("%(count)d devices updated.") % {"count": len(result.changes)}
            )
            if result.new_devices:
                messages.success(
                    request,
                    _("%(count)d devices without the agent added.")
                    % {"count": len(result.new_devices)},
                )
        return render(request, "ledger/import.html", context)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            path = uploads.save_upload(upload)
            result = import_ledger(path, request.user, dry_run=True)
            if result.ok and (result.changes or result.new_devices):
                uploads.remember(request, SESSION_KEY, path, upload.name)
            else:
                path.unlink(missing_ok=True)
            context.update(result=result, filename=upload.name)
    return render(request, "ledger/import.html", context)
