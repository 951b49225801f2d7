"""`minecheck-server worker`: a separate job worker (huey's consumer), several against Redis."""

from __future__ import annotations

from collector_server.commandline import CollectorCommand


class Command(CollectorCommand):
    help = "run background jobs (huey consumer)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workers", type=int, default=2)

    def run(self, **options) -> int:
        from collector_server.jobs.worker import run_worker

        run_worker(options["workers"])
        return 0
