"""Files in and out: notice-list import (dry run, then apply), blocklist downloads, the
upward-report list, the written report as DOCX/PDF."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from collector_server.accounts.scoping import get_org_or_404, user_profile, visible_orgs
from collector_server.notices import blocklist, upward
from collector_server.notices.access import get_case_or_404, require_bureau
from collector_server.notices.forms import NoticeImportForm
from collector_server.notices.importing import import_notices
from collector_server.web import uploads

SESSION_KEY = "notice_import"
BLOCKLIST_FORMATS = {
    "hosts": (blocklist.hosts_file, "text/plain; charset=utf-8", "hosts"),
    "rpz": (blocklist.rpz_zone, "text/dns; charset=utf-8", "zone"),
    "txt": (blocklist.plain_list, "text/plain; charset=utf-8", "txt"),
    "csv": (blocklist.csv_list, "text/csv; charset=utf-8", "csv"),
}


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and preview (dry run). Step 2 (action=confirm): apply the same file."""
    require_bureau(request.user)
    form = NoticeImportForm(user=request.user)
    context = {"nav": "notices", "form": form}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        stored = uploads.take(request, SESSION_KEY)
        if stored is None:
            messages.error(request, _("The uploaded file has expired; upload it again."))
            return redirect("notices:import")
        org = get_org_or_404(request.user, pk=stored["org"])
        try:
            result = import_notices(
                stored["path"],
                org,
                dry_run=False,
                source=stored["source"],
                number=stored["number"],
                user=request.user,
            )
        finally:
            stored["path"].unlink(missing_ok=True)
        if result.ok:
            messages.success(
                request,
                _("%(notices)d notice(s) imported, %(cases)d case(s) opened.")
                % {"notices": len(result.created), "cases": result.cases},
            )
            return redirect("notices:notices")
        context.update(result=result, filename=stored["name"])
        return render(request, "notices/import.html", context)
    if request.method == "POST":
        form = NoticeImportForm(request.POST, request.FILES, user=request.user)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            path = uploads.save_upload(upload, prefix="notice-")
            data = form.cleaned_data
            result = import_notices(
                path,
                data["organisation"],
                dry_run=True,
                source=data["source"],
                number=data["number"],
            )
            if result.ok and result.notices:
                uploads.remember(
                    request,
                    SESSION_KEY,
                    path,
                    upload.name,
                    org=data["organisation"].pk,
                    source=data["source"],
                    number=data["number"],
                )
            else:
                path.unlink(missing_ok=True)
            context.update(result=result, filename=upload.name)
    return render(request, "notices/import.html", context)


def _home_org(request: HttpRequest):
    """The organisation whose blocklist / upward list is shown (?org=, else the user's)."""
    ref = request.GET.get("org", "")
    if ref:
        return get_org_or_404(request.user, pk=ref)
    profile = user_profile(request.user)
    if profile is not None:
        return profile.organisation
    org = visible_orgs(request.user).order_by("path").first()
    if org is None:
        raise Http404("no organisation")
    return org


@login_required
def blocklist_page(request: HttpRequest) -> HttpResponse:
    org = _home_org(request)
    indicators = blocklist.current_indicators(org)
    return render(
        request,
        "notices/blocklist.html",
        {
            "nav": "notices",
            "org": org,
            "indicators": indicators,
            "formats": list(BLOCKLIST_FORMATS),
        },
    )


@login_required
def blocklist_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in BLOCKLIST_FORMATS:
        raise Http404("unknown format")
    org = _home_org(request)
    render_fn, content_type, suffix = BLOCKLIST_FORMATS[fmt]
    text = render_fn(blocklist.current_indicators(org))
    if fmt == "csv":
        from collector_server.ledger.excel import neutralise_cell

        out = io.StringIO()
        csv.writer(out).writerows(
            [neutralise_cell(c) for c in row] for row in csv.reader(io.StringIO(text))
        )
        text = out.getvalue()
        body = ("\ufeff" + text).encode("utf-8")
    else:
        body = text.encode("utf-8")
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="blocklist-{stamp}.{suffix}"'
    return response


@login_required
def upward_page(request: HttpRequest) -> HttpResponse:
    require_bureau(request.user)
    org = _home_org(request)
    rows = upward.unreported_pools(org)
    if request.GET.get("format") == "csv":
        from collector_server.ledger.excel import neutralise_cell

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["host", "devices", "first_seen"])
        for r in rows:  # hosts come from agents' reports: neutralise spreadsheet formulas
            writer.writerow(
                [neutralise_cell(r["host"]), len(r["devices"]), r["first_seen"].isoformat()]
            )
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="pools-to-report.csv"'
        return response
    return render(request, "notices/upward.html", {"nav": "notices", "org": org, "rows": rows})


@login_required
def written_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    from collector_server.notices.report import FontMissing, docx_bytes, pdf_bytes

    case = get_case_or_404(request.user, pk)
    if fmt == "docx":
        body, content_type = (
            docx_bytes(case),
            ("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )
    elif fmt == "pdf":
        try:
            body, content_type = pdf_bytes(case), "application/pdf"
        except FontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    else:
        raise Http404("unknown format")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}-report.{fmt}"'
    return response
