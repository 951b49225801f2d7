"""Job kinds: the ledger export, the stale-device sweep and report thinning."""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.utils import timezone

from .models import Job
from .services import Progress, atomic_output, job_kind

FORMATS = ("xlsx", "csv")


def _owner(job: Job):
    if job.owner_id is None:
        raise ValueError("the job has no owner")
    return get_user_model().objects.get(pk=job.owner_id)


def _relative(job: Job, name: str) -> str:
    return f"jobs/{job.pk}/{name}"


@job_kind("ledger_export")
def ledger_export(job: Job, progress: Progress) -> tuple[str, str]:
    """The ledger rows the owner sees, with the list page's filters, as XLSX or CSV."""
    from collector_server.ledger.excel import export_ledger
    from collector_server.ledger.query import LedgerFilter, filter_devices

    fmt = job.params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise ValueError(f"format must be xlsx or csv, not {fmt!r}")
    user = _owner(job)
    query = QueryDict(mutable=True)
    query.update(job.params.get("query", {}))
    qs = filter_devices(user, LedgerFilter.from_query(query, user))
    progress(0.1, "querying")
    name = f"ledger-{timezone.localtime(job.created_at).strftime('%Y%m%d-%H%M')}.{fmt}"
    with atomic_output(job, name) as stream:
        count = export_ledger(qs, fmt, stream)
        progress(0.9, f"{count} devices written")
    return _relative(job, name), name


@job_kind("stale_sweep")
def stale_sweep(job: Job, progress: Progress) -> tuple[str, str]:
    """Devices that stopped reporting (in the owner's scope), as a CSV file."""
    from collector_server.accounts.scoping import scope_devices
    from collector_server.ledger.models import Device
    from collector_server.ledger.stale import silent_for, stale_devices

    qs = Device.objects.all()
    if job.owner_id:
        qs = scope_devices(qs, _owner(job))
    now = timezone.now()
    rows = list(stale_devices(qs.select_related("organisation"), now).order_by("last_seen"))
    progress(0.5, f"{len(rows)} devices")
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "hostname", "organisation", "last_seen", "silent_hours"])
    for d in rows:
        writer.writerow(
            [
                d.pk,
                d.hostname,
                d.organisation.name,
                d.last_seen.isoformat() if d.last_seen else "",
                round(silent_for(d, now).total_seconds() / 3600),
            ]
        )
    name = f"stale-devices-{timezone.localtime(now).strftime('%Y%m%d-%H%M')}.csv"
    with atomic_output(job, name) as stream:
        stream.write(text.getvalue().encode("utf-8-sig"))
    return _relative(job, name), name


@job_kind("report_prune")
def report_prune(job: Job, progress: Progress) -> None:
    """Thin reports past MINECHECK_REPORT_RETENTION_DAYS (collector_server/reports/prune.py)."""
    from collector_server.reports.prune import prune_reports

    result = prune_reports(dry_run=bool(job.params.get("dry_run")), progress=progress)
    progress(1.0, f"{result.deleted} of {result.old} old reports deleted")
