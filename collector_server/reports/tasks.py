"""Every day at 02:15 UTC (10:15 Beijing time) a job thins reports past the retention age."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="2", minute="15"))
def report_prune_schedule() -> None:
    from collector_server.jobs.services import start_job

    start_job("report_prune", owner=None)
