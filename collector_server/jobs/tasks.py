"""The huey task that runs every job, and the job kinds shipped so far."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from . import kinds  # noqa: F401 - registers the job kinds
from .services import execute


@db_task()
def run_job(job_id: int) -> None:
    execute(job_id)
