"""The huey task that runs every job (the job kinds register in JobsConfig.ready)."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from .services import execute, set_runner


@db_task()
def run_job(job_id: int) -> None:
    execute(job_id)


set_runner(run_job)
