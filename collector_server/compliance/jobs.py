"""The weekly_review job kind on the background queue (see collector_server/jobs/kinds.py)."""

from __future__ import annotations

from collector_server.jobs.models import Job
from collector_server.jobs.services import Progress, job_kind


@job_kind("weekly_review")
def weekly_review(job: Job, progress: Progress) -> None:
    """Generate (once) every organisation's review of ``params.week`` (default: last week)."""
    from .review import generate_all, previous_week

    week = job.params.get("week") or previous_week()
    progress(0.1, f"week {week}")
    created = generate_all(week)
    progress(1.0, f"{len(created)} reviews generated for {week}")
    return None
