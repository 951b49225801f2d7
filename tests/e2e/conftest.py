"""End-to-end set-up: the real collector (`minecheck-server`, SQLite, its own data folder) in a
subprocess on loopback, the real agent (`python -m agent --home DIR ...`) in subprocesses,
and the loopback fault proxy between them. Ledger rows are read straight from the SQLite
file, so these tests never set up Django in the test process."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.fault_proxy import FaultProxy, Faults

ROOT = Path(__file__).resolve().parents[2]


def _env(extra: dict | None = None) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MINECHECK_HOME", "DJANGO_SETTINGS_MODULE")
    }
    env["PYTHONPATH"] = str(ROOT)
    return {**env, **(extra or {})}


def server_cli(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", *args, "--data", str(data)],
        capture_output=True,
        text=True,
        env=_env({"MINECHECK_DATA": str(data)}),
        cwd=ROOT,
        timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"minecheck-server {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


@dataclass
class Collector:
    """The collector's data folder, its running process and the proxy agents talk to."""

    data: Path
    proxy: FaultProxy
    proc: subprocess.Popen | None = None
    url: str = ""
    logs: list[Path] = field(default_factory=list)

    def start(self, threads: int = 8) -> None:
        log = self.data / f"server-{len(self.logs)}.log"
        self.logs.append(log)
        out = open(log, "w+b")  # noqa: SIM115 - handed to the child process
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "collector_server.cli",
                "run",
                "--data",
                str(self.data),
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
            env=_env({"MINECHECK_DATA": str(self.data)}),
            cwd=ROOT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            match = re.search(
                r"listening on http://127\.0\.0\.1:(\d+)", log.read_text("utf-8", "replace")
            )
            if match:
                self.url = f"http://127.0.0.1:{match.group(1)}"
                self.proxy.target = ("127.0.0.1", int(match.group(1)))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.proc.kill()
        raise RuntimeError(f"collector did not start:\n{log.read_text('utf-8', 'replace')}")

    def stop(self, kill: bool = False) -> None:
        if self.proc is None:
            return
        if kill:
            self.proc.kill()
        else:
            self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(15)
        self.proc = None

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return server_cli(self.data, *args, check=check)

    def token(self, org: str = "e2e-school") -> str:
        return self.cli("token", "create", "--org", org).stdout.splitlines()[1].strip()

    def query(self, sql: str, *params) -> list[tuple]:
        db = sqlite3.connect(
            f"file:{self.data / 'minecheck.sqlite3'}?mode=ro", uri=True, timeout=30
        )
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def report_ids(self) -> list[str]:
        """Every stored report_id (hex, no dashes), duplicates included if there were any."""
        rows = self.query("SELECT report_id FROM ingest_report")
        return [str(r[0]).replace("-", "") for r in rows]


@dataclass
class Agent:
    home: Path

    def run(
        self, *args: str, timeout: float = 180, check_rc: tuple[int, ...] | None = None
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "agent", "--lang", "en", "--home", str(self.home), *args],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
            timeout=timeout,
        )
        if check_rc is not None and result.returncode not in check_rc:
            raise AssertionError(
                f"minecheck {' '.join(args)} -> {result.returncode}\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result

    def popen(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "agent", "--lang", "en", "--home", str(self.home), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=ROOT,
        )

    def scan(self, *extra: str) -> subprocess.CompletedProcess:
        return self.run("scan", "--sample-seconds", "0", "--quiet", *extra, check_rc=(0, 1))

    def pending(self) -> list[Path]:
        return sorted((self.home / "spool" / "pending").glob("*.json"))

    def rejected(self) -> list[Path]:
        return sorted((self.home / "spool" / "rejected").glob("*.json"))

    def pending_ids(self) -> list[str]:
        return [json.loads(p.read_bytes())["report_id"].replace("-", "") for p in self.pending()]

    def upload_until_empty(self, rounds: int = 15) -> int:
        """`minecheck upload` until the spool is empty; returns how many runs it took."""
        for n in range(1, rounds + 1):
            self.run("upload", timeout=300)
            if not self.pending():
                return n
        raise AssertionError(f"spool not empty after {rounds} uploads: {self.pending()}")


@pytest.fixture(scope="session")
def collector(tmp_path_factory) -> Iterator[Collector]:
    data = tmp_path_factory.mktemp("e2e-collector")
    server_cli(data, "init")
    server_cli(data, "org", "add", "e2e-school", "--kind", "school")
    proxy = FaultProxy(("127.0.0.1", 9), Faults()).start()
    coll = Collector(data, proxy)
    coll.start()
    try:
        yield coll
    finally:
        coll.stop()
        proxy.stop()


@pytest.fixture()
def agent(tmp_path, collector) -> Agent:
    """A fresh agent home, enrolled through the (for now well-behaved) proxy."""
    collector.proxy.configure(Faults())
    a = Agent(tmp_path / "agent-home")
    a.run(
        "enroll",
        "--server",
        collector.proxy.url,
        "--token",
        collector.token(),
        "--location",
        "机房 101",
        check_rc=(0,),
    )
    return a
