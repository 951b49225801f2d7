"""The real server under idle connections, and the data folder's permissions."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.collector.conftest import start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
IDLE_SOCKETS = 500


@pytest.fixture
def raised_nofile():
    """This process holds IDLE_SOCKETS sockets: lift the soft open-file limit for the test."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = IDLE_SOCKETS + 200
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"ulimit -Hn is {hard}, below {wanted}")
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.slow
def test_idle_and_half_open_connections_do_not_deny_service(django_dbs, raised_nofile):
    """500 loopback sockets, some silent and some with half a request line, then a GET."""
    info = django_dbs["default"]
    proc, url = start_server(info["data"], None, threads=4)
    host, port = url.removeprefix("http://").split(":")
    held: list[socket.socket] = []
    try:
        for i in range(IDLE_SOCKETS):
            s = socket.create_connection((host, int(port)), timeout=10)
            if i % 2:
                s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")  # never finished
            held.append(s)
        answer = requests.get(f"{url}/accounts/login/", timeout=10)
        assert answer.status_code == 200
        assert proc.poll() is None
    finally:
        for s in held:
            with contextlib.suppress(OSError):
                s.close()
        stop_server(proc)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_data_folder_is_owner_only(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    env = {**os.environ, "MINECHECK_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    env.pop("MINECHECK_SECRET_KEY", None)
    old = os.umask(0o022)  # the usual login umask, inherited by the command
    try:
        done = subprocess.run(
            [sys.executable, "-m", "collector_server.cli", "init", "--data", str(data)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        os.umask(old)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.name == "minecheck.sqlite3" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # a folder made readable later is put back by the next command
    (data / "minecheck.sqlite3").chmod(0o644)
    subprocess.run(
        [sys.executable, "-m", "collector_server.cli", "org", "list"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert stat.S_IMODE((data / "minecheck.sqlite3").stat().st_mode) == 0o600


def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    """`manage check --deploy --fail-level WARNING` with the documented production env."""
    env = {
        **os.environ,
        "MINECHECK_DATA": str(tmp_path / "data"),
        "MINECHECK_DEBUG": "0",
        "MINECHECK_SECURE_COOKIES": "1",
        "MINECHECK_ALLOWED_HOSTS": "minecheck.example.edu",
        "MINECHECK_CSRF_TRUSTED_ORIGINS": "https://minecheck.example.edu",
    }
    env.pop("DATABASE_URL", None)
    env.pop("MINECHECK_SECRET_KEY", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
