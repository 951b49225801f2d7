"""A job worker process for the kill test: registers a slow job kind, starts (or retries) one
job on the embedded queue of a data folder, then runs the consumer until killed.

usage: python -m tests.collector.jobs.jobs_slow_worker DATA start|retry [JOB_ID]
"""

from __future__ import annotations

import sys
import time


def main(data: str, action: str, job_id: str = "") -> None:
    from collector_server.cli import migrate, setup_django

    setup_django(data)
    migrate()
    from collector_server.jobs.models import Job
    from collector_server.jobs.services import atomic_output, job_kind, retry_job, start_job

    @job_kind("test_slow")
    def slow(job, progress):
        """Writes 10 chunks; on its first attempt it lingers mid-file (to be killed there)."""
        with atomic_output(job, "slow.bin") as stream:
            for i in range(10):
                stream.write(b"x" * 1000)
                stream.flush()
                progress(i / 10, f"chunk {i}")
                if job.attempts == 1 and i == 5:
                    time.sleep(120)
        return f"jobs/{job.pk}/slow.bin", "slow.bin"

    job = (
        start_job("test_slow", None)
        if action == "start"
        else retry_job(Job.objects.get(pk=int(job_id)))
    )
    print(f"job {job.pk}", flush=True)
    from collector_server.jobs.worker import run_worker

    run_worker(1)


if __name__ == "__main__":
    main(*sys.argv[1:])
