"""Every Monday 01:30 UTC (09:30 Beijing time) a job generates the previous week's reviews."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(day_of_week="1", hour="1", minute="30"))
def weekly_review_schedule() -> None:
    from collector_server.jobs.services import start_job

    from .review import previous_week

    start_job("weekly_review", owner=None, params={"week": previous_week()})
