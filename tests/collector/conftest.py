"""Collector test set-up: Django in this process for seeding and checking rows, and the real
server (`minecheck-server run`, waitress) in a subprocess on a loopback port per backend.

Backends: SQLite in a temporary data folder always; PostgreSQL when
MINECHECK_TEST_DATABASE_URL is set (a fresh database per run, dropped afterwards).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.collector.serverenv import ServerEnv

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("MINECHECK_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgres"]


def _pg_admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="session")
def django_dbs(tmp_path_factory) -> Iterator[dict[str, dict]]:
    """Configure Django here once: alias 'default' = SQLite, 'postgres' = a fresh PG database.

    Yields {alias: {"data": folder, "database_url": url or None}}.
    """
    data = tmp_path_factory.mktemp("collector-data")
    os.environ["MINECHECK_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collector_server.settings")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.conf import settings

    backends: dict[str, dict] = {"default": {"data": data, "database_url": None}}
    pg_name = None
    if PG_URL and "postgres" not in settings.DATABASES:
        import dj_database_url

        pg_name = f"minecheck_test_{secrets.token_hex(4)}"
        _pg_admin(PG_URL, f'CREATE DATABASE "{pg_name}"')
        pg_url = re.sub(r"/[^/?]*(\?|$)", f"/{pg_name}\\1", PG_URL.split("://", 1)[1], count=1)
        pg_url = PG_URL.split("://", 1)[0] + "://" + pg_url
        settings.DATABASES["postgres"] = dj_database_url.parse(pg_url)
        backends["postgres"] = {"data": data, "database_url": pg_url}
    django.setup()
    from django.core.management import call_command

    for alias in backends:
        call_command("migrate", database=alias, interactive=False, verbosity=0)
    yield backends
    if pg_name:
        from django.db import connections

        connections.close_all()
        _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


def start_server(
    data: Path,
    database_url: str | None,
    extra_env: dict | None = None,
    threads: int = 8,
    log: Path | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start `minecheck-server run` on a free loopback port; returns (process, base URL)."""
    env = {**os.environ, "MINECHECK_DATA": str(data), **(extra_env or {})}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    log = log or data / f"server-{secrets.token_hex(3)}.log"
    out = open(log, "w+b")  # noqa: SIM115 - handed to the child process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "run",
            "--data",
            str(data),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--threads",
            str(threads),
            "--no-migrate",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        match = re.search(r"listening on (http://\S+?)/?\s", text)
        if match:
            return proc, match.group(1).rstrip("/")
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"server did not start:\n{log.read_text(errors='replace')}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, django_dbs) -> Iterator[ServerEnv]:
    """The real collector over HTTP, once per backend."""
    alias = "default" if request.param == "sqlite" else "postgres"
    if alias not in django_dbs:
        pytest.skip("PostgreSQL: MINECHECK_TEST_DATABASE_URL is not set")
    info = django_dbs[alias]
    proc, url = start_server(info["data"], info["database_url"])
    try:
        yield ServerEnv(base_url=url, alias=alias, backend=request.param)
    finally:
        stop_server(proc)
