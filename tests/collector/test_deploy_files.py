"""The province deployment files (deploy/) work as written: systemd units pass
`systemd-analyze verify`, and the commands of the units and of compose.yaml really start a
collector of two web workers and a job worker on Redis that takes uploads and runs jobs."""

from __future__ import annotations

import configparser
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.bench.bench_ledger import login
from tests.collector.conftest import PG_URL, _pg_admin
from tests.collector.factories import make_identity, make_report, report_gzip

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379/14"
# where the collector reads its environment: the settings and the modules they use
SETTINGS = "".join(
    p.read_text(encoding="utf-8")
    for p in (ROOT / "collector_server").rglob("*.py")
    if "environ" in p.read_text(encoding="utf-8")
)


@pytest.fixture(params=["sqlite", "postgres"])
def scratch_database_url(request):
    """None (SQLite in the data folder), or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    if not PG_URL:
        pytest.skip("MINECHECK_TEST_DATABASE_URL is not set (CI sets it)")
    name = f"minecheck_deploy_{secrets.token_hex(4)}"
    _pg_admin(PG_URL, f'CREATE DATABASE "{name}"')
    scheme, rest = PG_URL.split("://", 1)
    try:
        yield scheme + "://" + re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", rest, count=1)
    finally:
        _pg_admin(PG_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(path, encoding="utf-8")
    return parser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _local(command: str) -> list[str]:
    """A unit's or compose file's command with the installed program of this checkout."""
    argv = command.split() if isinstance(command, str) else list(command)
    argv[0] = str(BIN / Path(argv[0]).name)
    return argv


def test_units_pass_systemd_analyze_verify(tmp_path):
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace("/opt/minecheck/venv/bin", str(BIN))
        name = unit.name.replace("@.", "@8001.")
        (tmp_path / name).write_text(text, encoding="utf-8")
    files = [str(p) for p in sorted(tmp_path.iterdir())]
    done = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


def test_every_setting_in_the_example_environment_is_one_the_collector_reads():
    for line in (DEPLOY / "collector.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key = line.split("=", 1)[0]
            assert f'"{key}"' in SETTINGS or key in ("DATABASE_URL",), key
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    for key in compose["x-collector"]["environment"]:
        assert f'"{key}"' in SETTINGS or key == "DATABASE_URL", key


class Fleet:
    """Processes started from deployment commands, stopped as systemd / docker would."""

    def __init__(self, tmp_path: Path, env: dict) -> None:
        self.tmp = tmp_path
        self.env = env
        self.procs: list[tuple[subprocess.Popen, Path]] = []

    def run_once(self, argv: list[str]) -> None:
        done = subprocess.run(
            argv, env=self.env, cwd=self.tmp, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr + done.stdout

    def start(self, argv: list[str], wait_for: str | None = None) -> subprocess.Popen:
        log = self.tmp / f"proc-{len(self.procs)}.log"
        out = open(log, "wb")  # noqa: SIM115 - handed to the child
        proc = subprocess.Popen(
            argv, env=self.env, cwd=self.tmp, stdout=out, stderr=subprocess.STDOUT
        )
        self.procs.append((proc, log))
        if wait_for:
            deadline = time.monotonic() + 60
            while wait_for not in log.read_text(errors="replace"):
                assert proc.poll() is None, log.read_text(errors="replace")
                assert time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.1)
        return proc

    def stop(self, timeout: float) -> list[int]:
        """SIGTERM (KillSignal) to all; each must exit within the unit's TimeoutStopSec."""
        for proc, _ in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        codes = []
        for proc, log in self.procs:
            try:
                codes.append(proc.wait(timeout))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
                pytest.fail(
                    f"did not stop on SIGTERM within {timeout} s: "
                    f"{log.read_text(errors='replace')[-2000:]}"
                )
        return codes


def _environment(tmp_path: Path, database_url: str | None) -> dict:
    env = {
        **os.environ,
        "MINECHECK_DATA": str(tmp_path / "data"),
        "MINECHECK_REDIS_URL": REDIS,
        "MINECHECK_JOBS_WORKER": "external",
        "MINECHECK_QUEUE_NAME": f"minecheck-deploy-{secrets.token_hex(4)}",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _exercise(fleet: Fleet, bases: list[str]) -> None:
    """Enroll and upload through each web worker; an export job done by the job worker."""
    demo = subprocess.run(
        [str(BIN / "minecheck-server"), "demo", "--bureau", "部署县教育局"],
        env=fleet.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    token = re.search(r"enrollment token: (\S+)", demo).group(1)
    user, password = re.search(r"user: (\S+) / (\S+)\s+\(bureau", demo).groups()
    for n, base in enumerate(bases):
        identity = make_identity(f"deploy-{n}")
        enroll = requests.post(
            base + "/api/v1/enroll",
            timeout=30,
            json={"enrollment_token": token, "device": json.loads(identity.model_dump_json())},
        )
        assert enroll.status_code == 201, enroll.text
        upload = requests.post(
            base + "/api/v1/reports",
            data=report_gzip(make_report(identity)),
            timeout=30,
            headers={
                "Authorization": f"Bearer {enroll.json()['device_token']}",
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
            },
        )
        assert upload.status_code == 201, upload.text
    session = login(bases[-1], user, password)
    start = session.get(bases[-1] + "/jobs/export.csv", allow_redirects=False, timeout=30)
    assert start.status_code == 302, start.text[:500]
    deadline = time.monotonic() + 60
    while True:
        page = session.get(bases[-1] + start.headers["Location"], timeout=30).text
        state = re.search(r'data-state="(\w+)"', page).group(1)
        if state == "done":
            break
        assert state != "failed" and time.monotonic() < deadline, page[-2000:]
        time.sleep(0.3)
    link = re.search(r'class="download" href="([^"]+)"', page).group(1)
    csv = session.get(bases[-1] + link, timeout=30).content.decode("utf-8-sig")
    assert csv.count("\n") >= 1 + len(bases)  # header + every uploaded device


def _redis_cleanup(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(f"*{queue}*"):
        client.delete(key)


def test_the_systemd_units_run_a_collector_with_two_web_workers_and_a_job_worker(
    tmp_path, scratch_database_url
):
    env = _environment(tmp_path, scratch_database_url)
    units = {u.name: _unit(u) for u in UNITS}
    fleet = Fleet(tmp_path, env)
    try:
        fleet.run_once(_local(units["minecheck-migrate.service"]["Service"]["ExecStart"]))
        fleet.run_once([str(BIN / "minecheck-server"), "init", "--bureau", "部署县教育局"])
        web = units["minecheck-web@.service"]["Service"]
        ports = [_free_port(), _free_port()]
        for port in ports:
            fleet.start(_local(web["ExecStart"].replace("%i", str(port))), "listening on")
        fleet.start(_local(units["minecheck-worker@.service"]["Service"]["ExecStart"]))
        _exercise(fleet, [f"http://127.0.0.1:{p}" for p in ports])
    finally:
        stop_timeout = float(re.sub(r"\D", "", web.get("TimeoutStopSec", "30")))
        codes = fleet.stop(stop_timeout)
        _redis_cleanup(env["MINECHECK_QUEUE_NAME"])
    assert codes and all(c in (0, -signal.SIGTERM) for c in codes), codes


def test_the_compose_services_commands_run_the_same_collector(tmp_path, scratch_database_url):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    ours = {n: s for n, s in services.items() if s.get("image") == "minecheck-server"}
    assert {"migrate", "web1", "web2", "worker1"} <= set(ours)
    env = _environment(tmp_path, scratch_database_url)
    fleet = Fleet(tmp_path, env)
    bases = []
    try:
        fleet.run_once(_local(ours["migrate"]["command"]))
        fleet.run_once([str(BIN / "minecheck-server"), "init", "--bureau", "部署县教育局"])
        for name in ("web1", "web2"):
            argv = _local(ours[name]["command"])
            port = str(_free_port())
            argv[argv.index("--port") + 1] = port
            argv[argv.index("--host") + 1] = "127.0.0.1"
            fleet.start(argv, "listening on")
            bases.append(f"http://127.0.0.1:{port}")
        fleet.start(_local(ours["worker1"]["command"]))
        _exercise(fleet, bases)
    finally:
        fleet.stop(30)
        _redis_cleanup(env["MINECHECK_QUEUE_NAME"])
    upstream = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    for name in ("web1", "web2"):
        port = ours[name]["command"][ours[name]["command"].index("--port") + 1]
        assert f"server {name}:{port};" in upstream
