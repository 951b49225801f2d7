"""Job pages: start an export, watch its progress, download its file, retry it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .kinds import FORMATS
from .models import Job
from .services import can_retry, result_path, retry_job, start_job, visible_jobs


def _job_or_404(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(visible_jobs(request.user), pk=pk)


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Start a ledger export with the list page's filters; show its job page."""
    if fmt not in FORMATS:
        return HttpResponseBadRequest("format must be xlsx or csv")
    from collector_server.ledger.query import LedgerFilter

    f = LedgerFilter.from_query(request.GET, request.user)  # 404 outside the user's scope
    job = start_job(
        "ledger_export", request.user, f.org, {"format": fmt, "query": request.GET.dict()}
    )
    return redirect("jobs:detail", pk=job.pk)


@login_required
@require_POST
def stale_sweep(request: HttpRequest) -> HttpResponse:
    job = start_job("stale_sweep", request.user)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "percent": round(job.progress * 100),
            "downloadable": result_path(job) is not None,
            "retryable": can_retry(job),
        },
    )


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    path = result_path(job)
    if path is None:
        raise Http404("no file")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_or_404(request, pk)
    if can_retry(job):
        retry_job(job)
    return redirect("jobs:detail", pk=job.pk)
