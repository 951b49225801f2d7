"""Fleet simulator: a county's agents against the real collector, for a bounded time.

BENCH_FLEET_AGENTS simulated agents (default 20,000) really enroll (POST /api/v1/enroll), then
each uploads one gzip report inside BENCH_FLEET_WINDOW seconds (default 120): the morning
peak, when a county's lab PCs are switched on within the first lessons, compressed in time.
Arrivals are random (open loop), so latency includes the wait behind a busy server. The
report body is a real scan of this machine (its size and shape), given each agent's own
identity and report id; BENCH_FLEET_FINDINGS (default 5 %) of them carry mining findings.

The collector runs as in a county deployment: 2 `minecheck-server run` processes (the
clients spread over both, as behind a reverse proxy) and one `minecheck-server worker`, on
PostgreSQL (a scratch database; SQLite when PostgreSQL cannot be reached). While the window
runs, a signed-in bureau user loads the overview and the ledger page every second.

Recorded: enrollments/s, reports/s, p50/p99 upload latency, answers by status, lost and
duplicated reports (acknowledged ids vs the database), collector RSS, database growth per
report and per 1,000 devices per month at the default schedule (one scan a day), and the
pages' p50/p95 under load.

Run: `python tests/bench/run.py fleet` (BENCH_FLEET_AGENTS / _WINDOW / _CLIENTS to resize;
BENCH_FLEET_TEMPLATE=report.json to use a report file from another real PC as the body).
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from tests.bench._common import markdown_table, scratch_pg_database, write_section
from tests.bench.bench_ingest import cli
from tests.bench.bench_ledger import _child_env, login
from tests.collector.conftest import start_server, stop_server
from tests.collector.factories import make_finding, make_identity

ROOT = Path(__file__).resolve().parents[2]
AGENTS = int(os.environ.get("BENCH_FLEET_AGENTS", "20000"))
WINDOW = float(os.environ.get("BENCH_FLEET_WINDOW", "120"))
CLIENTS = int(os.environ.get("BENCH_FLEET_CLIENTS", "48"))
FINDINGS_SHARE = float(os.environ.get("BENCH_FLEET_FINDINGS", "0.05"))
WEB_PROCESSES = 2
SCANS_PER_MONTH = 30  # the agent's default schedule: one scan a day (interval 1440 min)
PG_URL = os.environ.get(
    "MINECHECK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/minecheck_test"
)


def real_scan_template() -> dict:
    """A real scan as the JSON the agent uploads: BENCH_FLEET_TEMPLATE (a report file from a
    real PC, e.g. a Windows lab machine), else a scan of this machine with a short sample."""
    if os.environ.get("BENCH_FLEET_TEMPLATE"):
        return json.loads(Path(os.environ["BENCH_FLEET_TEMPLATE"]).read_text(encoding="utf-8"))
    from agent.collectors.base import ScanOptions
    from agent.scan import build_report

    return json.loads(build_report(ScanOptions(sample_seconds=3)).model_dump_json())


class Gzip:
    """gzip bodies the way the agent sends them (level 6)."""

    @staticmethod
    def compress(data: bytes) -> bytes:
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)
        return packer.compress(data) + packer.flush()


def body_for(template: dict, identity: dict, findings: list[dict] | None) -> tuple[str, bytes]:
    now = datetime.now(timezone.utc)
    report = dict(template)
    report.update(
        report_id=str(uuid.uuid4()),
        device=identity,
        started_at=(now - timedelta(seconds=70)).isoformat(),
        finished_at=(now - timedelta(seconds=2)).isoformat(),
    )
    if findings:
        report["findings"] = findings
        report["verdict"] = {
            **template["verdict"],
            "status": "mining",
            "mode": "passive",
            "reasons": [f["title"] for f in findings[:3]],
            "incomplete": [],
        }
    return report["report_id"], Gzip.compress(json.dumps(report).encode("utf-8"))


def _post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict):
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


class Endpoints:
    """Round-robin over the web processes, one keep-alive connection per client thread."""

    def __init__(self, urls: list[str]) -> None:
        self.parts = [urlsplit(u) for u in urls]

    def connect(self, n: int) -> http.client.HTTPConnection:
        p = self.parts[n % len(self.parts)]
        return http.client.HTTPConnection(p.hostname, p.port, timeout=120)


def enroll_all(endpoints: Endpoints, token: str, identities: list[dict]) -> tuple[list, float]:
    tokens: list[str | None] = [None] * len(identities)
    work: queue.Queue[int] = queue.Queue()
    for i in range(len(identities)):
        work.put(i)
    errors: list[str] = []

    def client(n: int) -> None:
        conn = endpoints.connect(n)
        while True:
            try:
                i = work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps({"enrollment_token": token, "device": identities[i]}).encode()
            status, answer = _post(
                conn, "/api/v1/enroll", body, {"Content-Type": "application/json"}
            )
            if status in (200, 201):
                tokens[i] = json.loads(answer)["device_token"]
            else:
                errors.append(f"{status} {answer[:200]!r}")
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise AssertionError(f"{len(errors)} enrollments failed, e.g. {errors[0]}")
    return tokens, elapsed


def upload_window(
    endpoints: Endpoints,
    template: dict,
    identities: list[dict],
    tokens: list[str],
    findings: list[dict],
) -> dict:
    rnd = random.Random(7)
    schedule = sorted((rnd.uniform(0, WINDOW), i) for i in range(len(identities)))
    work: queue.Queue[tuple[float, int]] = queue.Queue()
    for item in schedule:
        work.put(item)
    lock = threading.Lock()
    latencies: list[float] = []  # from the scheduled moment (includes waiting)
    service: list[float] = []  # from sending
    statuses: dict[int, int] = {}
    acked: list[str] = []
    started = time.perf_counter()

    def client(n: int) -> None:
        conn = endpoints.connect(n)
        mine_lat, mine_srv, mine_ok, codes = [], [], [], {}
        while True:
            try:
                at, i = work.get_nowait()
            except queue.Empty:
                break
            with_findings = rnd.random() < FINDINGS_SHARE
            rid, body = body_for(template, identities[i], findings if with_findings else None)
            delay = started + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            try:
                status, _ = _post(
                    conn,
                    "/api/v1/reports",
                    body,
                    {
                        "Authorization": f"Bearer {tokens[i]}",
                        "Content-Type": "application/json",
                        "Content-Encoding": "gzip",
                    },
                )
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = endpoints.connect(n)
                status = 0
            done = time.perf_counter()
            mine_lat.append(done - (started + at))
            mine_srv.append(done - sent)
            codes[status] = codes.get(status, 0) + 1
            if status in (200, 201):
                mine_ok.append(rid)
        conn.close()
        with lock:
            latencies.extend(mine_lat)
            service.extend(mine_srv)
            acked.extend(mine_ok)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {
        "latencies": latencies,
        "service": service,
        "statuses": statuses,
        "acked": acked,
        "elapsed": elapsed,
    }


class PageWatcher(threading.Thread):
    """A signed-in bureau user loading the overview and the ledger page once a second."""

    PAGES = {"overview": "/", "ledger": "/ledger/"}

    def __init__(self, base: str, username: str, password: str) -> None:
        super().__init__(daemon=True)
        self.session = login(base, username, password)
        self.base = base
        self.times: dict[str, list[float]] = {k: [] for k in self.PAGES}
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for name, path in self.PAGES.items():
                started = time.perf_counter()
                response = self.session.get(self.base + path, timeout=120)
                if response.status_code != 200:
                    self.failures.append(f"{path}: {response.status_code}")
                self.times[name].append((time.perf_counter() - started) * 1000)
            self.stop.wait(1.0)


class RssWatcher(threading.Thread):
    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.procs = [psutil.Process(p) for p in pids]
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = 0
            for p in self.procs:
                try:
                    total += p.memory_info().rss
                    total += sum(c.memory_info().rss for c in p.children(recursive=True))
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self.stop.wait(0.5)


def database_size(data: Path, database_url: str | None) -> int:
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    return sum(p.stat().st_size for p in data.glob("minecheck.sqlite3*"))


def stored_report_ids(data: Path, database_url: str | None) -> list[str]:
    """Every stored report id (one row per stored report), whatever the app's table name."""
    find = (
        "SELECT table_name FROM information_schema.columns WHERE column_name = 'report_id' "
        "AND table_name LIKE '%\\_report' AND table_schema = current_schema()"
    )
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            ((table,),) = conn.execute(find).fetchall()
            return [
                str(r[0]).replace("-", "") for r in conn.execute(f'SELECT report_id FROM "{table}"')
            ]
    with sqlite3.connect(data / "minecheck.sqlite3") as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE '%\\_report' "
                "ESCAPE '\\'"
            )
        ]
        table = next(
            t
            for t in tables
            if "report_id" in [c[1] for c in conn.execute(f'PRAGMA table_info("{t}")')]
        )
        rows = conn.execute(f'SELECT report_id FROM "{table}"')
        return [str(r[0]).replace("-", "") for r in rows]


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else float("nan")


def run(backend: str, database_url: str | None, template: dict) -> dict:
    data = Path(tempfile.mkdtemp(prefix=f"bench-fleet-{backend}-"))
    cli(data, database_url, "manage", "migrate", "-v0")
    demo = cli(data, database_url, "demo", "--bureau", "基准县教育局", "--school", "基准学校")
    bureau_login = re.search(r"user: (\S+) / (\S+)\s+\(bureau", demo)
    out = cli(data, database_url, "token", "create", "--org", "基准学校")
    token = re.search(r"^(mce_\S+)$", out, re.M).group(1)
    identities = [make_identity(f"fleet-{i}").model_dump(mode="json") for i in range(AGENTS)]
    findings = [json.loads(make_finding(i).model_dump_json()) for i in range(3)]
    servers = [start_server(data, database_url, threads=16) for _ in range(WEB_PROCESSES)]
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "worker",
            "--data",
            str(data),
            "--workers",
            "2",
        ],
        env=_child_env(data, database_url),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoints = Endpoints([url for _, url in servers])
        tokens, enroll_s = enroll_all(endpoints, token, identities)
        size_before = database_size(data, database_url)
        rss = RssWatcher([p.pid for p, _ in servers] + [worker.pid])
        rss.start()
        pages = PageWatcher(servers[0][1], bureau_login.group(1), bureau_login.group(2))
        pages.start()
        cpu_before = sum(sum(psutil.Process(p.pid).cpu_times()[:2]) for p, _ in servers)
        result = upload_window(endpoints, template, identities, tokens, findings)
        cpu_used = sum(sum(psutil.Process(p.pid).cpu_times()[:2]) for p, _ in servers) - cpu_before
        pages.stop.set()
        rss.stop.set()
        pages.join(150)
        rss.join(5)
        stored = stored_report_ids(data, database_url)
        size_after = database_size(data, database_url)
    finally:
        for proc, _ in servers:
            stop_server(proc)
        worker.terminate()
        worker.wait(30)
    acked = {a.replace("-", "") for a in result["acked"]}
    stored_set = set(stored)
    reports = len(result["latencies"])
    per_report = (size_after - size_before) / max(len(acked), 1)
    return {
        "backend": backend,
        "agents": AGENTS,
        "enroll_rate": AGENTS / enroll_s,
        "offered": AGENTS / WINDOW,
        "rate": len(acked) / result["elapsed"],
        "elapsed": result["elapsed"],
        "p50": quantile(result["latencies"], 50) * 1000,
        "p99": quantile(result["latencies"], 99) * 1000,
        "service_p99": quantile(result["service"], 99) * 1000,
        "statuses": result["statuses"],
        "lost": len(acked - stored_set),
        "duplicated": len(stored) - len(stored_set),
        "reports": reports,
        "cpu_ms": cpu_used / max(reports, 1) * 1000,
        "rss_mb": rss.peak / 2**20,
        "bytes_per_report": per_report,
        "gb_per_1000_month": per_report * 1000 * SCANS_PER_MONTH / 2**30,
        "pages": {k: (statistics.median(v), quantile(v, 95)) for k, v in pages.times.items() if v},
        "page_failures": pages.failures[:5],
        "body_kb": len(body_for(template, identities[0], None)[1]) / 1024,
        "json_kb": len(json.dumps(template)) / 1024,
    }


def main() -> None:
    template = real_scan_template()
    results = []
    with scratch_pg_database(PG_URL) as url:
        results.append(run("PostgreSQL", url, template) if url else run("SQLite", None, template))
    rows = [
        [
            r["backend"],
            r["agents"],
            f"{r['enroll_rate']:.0f}",
            f"{r['offered']:.0f}",
            f"{r['rate']:.0f}",
            f"{r['p50']:.0f}",
            f"{r['p99']:.0f}",
            f"{r['service_p99']:.0f}",
            f"{r['cpu_ms']:.1f}",
            ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items())),
            r["lost"],
            r["duplicated"],
            f"{r['rss_mb']:.0f}",
            f"{r['bytes_per_report'] / 1024:.1f}",
            f"{r['gb_per_1000_month']:.2f}",
        ]
        for r in results
    ]
    page_rows = [
        [r["backend"], name, f"{p50:.0f}", f"{p95:.0f}"]
        for r in results
        for name, (p50, p95) in r["pages"].items()
    ]
    r0 = results[0]
    body = (
        f"{WEB_PROCESSES} `minecheck-server run` processes (waitress, 16 threads) and one "
        "`minecheck-server worker` on 127.0.0.1; the simulator (same machine, "
        f"{CLIENTS} client threads) enrolls every agent for real, then each uploads one "
        f"report at a random moment of a {WINDOW:.0f} s window (open loop: latency counts "
        "from the scheduled moment, so it includes waiting behind a busy server; 'service "
        f"p99' counts from sending). Report body: a real scan of this machine "
        f"({r0['json_kb']:.0f} KB JSON, {r0['body_kb']:.0f} KB gzip), "
        f"{FINDINGS_SHARE:.0%} with 3 mining findings. Server, worker, database and "
        "simulator share the machine's cores.\n\n"
        + markdown_table(
            [
                "database",
                "agents",
                "enroll/s",
                "offered/s",
                "reports/s",
                "p50 ms",
                "p99 ms",
                "service p99 ms",
                "server CPU ms/report",
                "answers",
                "lost",
                "duplicated",
                "collector RSS MB",
                "DB KB/report",
                f"DB GB per 1,000 devices/month ({SCANS_PER_MONTH} scans)",
            ],
            rows,
        )
        + "\n\nPages while the window runs (a signed-in bureau user, once a second):\n\n"
        + markdown_table(["database", "page", "p50 ms", "p95 ms"], page_rows)
        + ("\n\nPage failures: " + "; ".join(r0["page_failures"]) if r0["page_failures"] else "")
    )
    write_section(
        "fleet", f"Fleet simulator: {AGENTS:,} agents, morning peak in {WINDOW:.0f} s", body
    )


if __name__ == "__main__":
    main()
