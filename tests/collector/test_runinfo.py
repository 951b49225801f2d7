"""A running collector is recorded in its data folder; `make run` finds it instead of
starting a second server on the same data and resetting the demo logins (issue 17)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import psutil

from collector_server import runinfo
from tests.collector.conftest import start_server

ROOT = Path(__file__).resolve().parents[2]


def _init(data: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "init",
            "--data",
            str(data),
            "--bureau",
            "示范县教育局",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "MINECHECK_DATA": str(data)},
    )


def test_a_serving_collector_is_recorded_and_forgotten_when_it_stops(tmp_path):
    data = tmp_path / "data"
    _init(data)
    proc, base = start_server(data, None)
    try:
        live = runinfo.running(data)
        assert [(e["pid"], e["url"].rstrip("/")) for e in live] == [(proc.pid, base)]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert runinfo.running(data) == []
    assert not list((data / "servers").glob("*.json"))


def test_a_record_left_by_a_killed_server_is_not_taken_for_a_live_one(tmp_path):
    data = tmp_path / "data"
    (data / "servers").mkdir(parents=True)
    me = psutil.Process()
    # Our own pid, but another start time: what a reused pid looks like.
    (data / "servers" / f"{me.pid}.json").write_text(
        json.dumps(
            {"pid": me.pid, "url": "http://127.0.0.1:1/", "started": me.create_time() - 3600}
        )
    )
    (data / "servers" / "garbage.json").write_text("{not json")
    assert runinfo.running(data) == []
    assert not list((data / "servers").iterdir())


def test_make_run_while_the_server_is_up_says_so_and_starts_nothing(tmp_path):
    data = tmp_path / "data"
    _init(data)
    (tmp_path / "demo-logins.txt").write_text("login: school1 / pw-kept  (school_staff)\n")
    proc, base = start_server(data, None)
    try:
        done = subprocess.run(
            [sys.executable, "build/demo_upload.py", "--data", str(data)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert "already running" in done.stdout and base in done.stdout
        assert "school1 / pw-kept" in done.stdout  # the logins were not reset
        assert [e["pid"] for e in runinfo.running(data)] == [proc.pid]  # no second server
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
