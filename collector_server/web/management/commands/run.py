"""`minecheck-server run`: serve the collector with waitress (and the embedded job worker)."""

from __future__ import annotations

import signal
from pathlib import Path

from collector_server import runinfo
from collector_server.commandline import CollectorCommand, migrate

CONNECTION_LIMIT = 2000  # idle sockets cost waitress one file descriptor each, no thread
CHANNEL_TIMEOUT = 20  # seconds an idle or half-sent connection is kept


def server_limits() -> dict[str, int]:
    """Waitress connection options; raises the open-file limit so the connection limit fits.

    Waitress serves sockets from one event loop and hands only complete requests to its
    threads, so idle connections are cheap until the descriptor limit; a reverse proxy in
    front (docs/deployment.*.md) applies its own per-client limits.
    """
    limit = CONNECTION_LIMIT
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        wanted = limit + 100  # the database, log and static files
        if soft != resource.RLIM_INFINITY and soft < wanted:
            new_soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
            resource.setrlimit(resource.RLIMIT_NOFILE, (new_soft, hard))
            soft = new_soft
        if soft != resource.RLIM_INFINITY:
            limit = max(50, min(limit, soft - 100))
    except (ImportError, ValueError, OSError):  # Windows: no RLIMIT_NOFILE; select() caps
        limit = 500
    return {"connection_limit": limit, "channel_timeout": CHANNEL_TIMEOUT, "cleanup_interval": 5}


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class Command(CollectorCommand):
    help = "serve the collector (waitress)"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help="do not apply migrations at start (several workers)",
        )

    def run(self, **options) -> int:
        from django.conf import settings
        from waitress import create_server

        from collector_server.jobs.worker import start_embedded_consumer
        from collector_server.wsgi import application

        if not options["no_migrate"]:
            migrate()
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        server = create_server(
            application,
            host=options["host"],
            port=options["port"],
            threads=options["threads"],
            # beyond this waitress answers 413 itself; below it the API answers with JSON
            max_request_body_size=2 * settings.MINECHECK_MAX_REPORT_BYTES + 1024 * 1024,
            **server_limits(),
            ident="minecheck",
        )
        consumer = start_embedded_consumer()
        host = options["host"] if ":" not in options["host"] else f"[{options['host']}]"
        url = f"http://{host}:{server.effective_port}/"
        data = Path(settings.DATA_DIR)
        for other in runinfo.running(data):
            print(
                f"note: another minecheck-server (pid {other['pid']}, {other['url']}) serves "
                "the same data folder",
                flush=True,
            )
        runinfo.record(data, url)
        signal.signal(signal.SIGTERM, _interrupt)  # a service stop ends as cleanly as Ctrl-C
        print(f"minecheck collector listening on {url}", flush=True)
        try:
            server.run()
        except KeyboardInterrupt:
            print("stopped")
        finally:
            runinfo.forget(data)
            server.close()
            if consumer is not None:
                consumer.stop(graceful=True)
        return 0
