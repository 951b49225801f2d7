"""Starting, running and retrying jobs. A job kind is one function registered with
`@job_kind("name")`: it gets the Job and a `Progress`, and returns the file it wrote (or None)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from collector_server.accounts.scoping import user_org_path

from .models import Job, JobState

Handler = Callable[[Job, "Progress"], "tuple[str, str] | None"]
KINDS: dict[str, Handler] = {}


def job_kind(name: str) -> Callable[[Handler], Handler]:
    """Register a handler for jobs of kind ``name``."""

    def register(func: Handler) -> Handler:
        KINDS[name] = func
        return func

    return register


class Progress:
    """Writes a job's progress (0..1) and message to its row."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def __call__(self, fraction: float, message: str = "") -> None:
        self.job.progress = max(0.0, min(1.0, fraction))
        self.job.message = message[:300]
        self.job.save(update_fields=["progress", "message"])


def jobs_dir(job: Job) -> Path:
    folder = Path(settings.DATA_DIR) / "jobs" / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def atomic_output(job: Job, filename: str):
    """A binary file to write the result to; it appears under its name only when complete,
    so a worker killed mid-write leaves nothing but a temp file the next attempt removes."""
    folder = jobs_dir(job)
    for stale in folder.glob(".part-*"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, folder / filename)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def start_job(kind: str, owner, organisation=None, params: dict | None = None) -> Job:
    """Create the row and put the job on the queue."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, owner=owner, organisation=organisation, params=params or {})
    enqueue(job)
    return job


_runner: list[Callable[[int], object]] = []  # set by jobs.tasks (JobsConfig.ready)


def set_runner(run: Callable[[int], object]) -> None:
    """Register the huey task that runs a job (jobs.tasks does, so this module imports no
    task module and the two do not import each other)."""
    _runner[:] = [run]


def enqueue(job: Job) -> None:
    if not _runner:
        raise RuntimeError("the jobs app is not ready: collector_server.jobs.tasks not loaded")
    _runner[0](job.pk)


def can_retry(job: Job) -> bool:
    """Failed jobs, and running ones whose worker may have died."""
    return job.state in (JobState.failed, JobState.running)


def retry_job(job: Job) -> Job:
    job.state = JobState.queued
    job.progress = 0.0
    job.message = ""
    job.error = ""
    job.finished_at = None
    job.save(update_fields=["state", "progress", "message", "error", "finished_at"])
    enqueue(job)
    return job


def execute(job_id: int) -> None:
    """Run one job in the worker: mark it running, call its kind, record file or error."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.state == JobState.done:
        return
    job.state = JobState.running
    job.attempts += 1
    job.started_at = timezone.now()
    job.error = ""
    job.save(update_fields=["state", "attempts", "started_at", "error"])
    try:
        result = KINDS[job.kind](job, Progress(job))
    except Exception as exc:  # noqa: BLE001 - the job's failure is its user's information
        job.state = JobState.failed
        job.error = f"{type(exc).__name__}: {exc}"[:4000]
    else:
        job.state = JobState.done
        job.progress = 1.0
        if result:
            job.result_file, job.result_name = result
    job.finished_at = timezone.now()
    job.save()


def visible_jobs(user) -> QuerySet[Job]:
    """The owner's jobs and jobs of organisations the user sees."""
    from django.db.models import Q

    prefix = user_org_path(user)
    own = Q(owner_id=user.pk) if user.is_authenticated else Q(pk__in=[])
    if prefix is None:
        return Job.objects.filter(own)
    if prefix == "":
        return Job.objects.all()
    return Job.objects.filter(own | Q(organisation__path__startswith=prefix))


def result_path(job: Job) -> Path | None:
    if job.state != JobState.done or not job.result_file:
        return None
    path = (Path(settings.DATA_DIR) / job.result_file).resolve()
    data = Path(settings.DATA_DIR).resolve()
    return path if path.is_relative_to(data) and path.is_file() else None
