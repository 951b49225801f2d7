"""Report ingestion through the real server on loopback: reports/s and p50/p99 latency,
SQLite and PostgreSQL, realistic gzip report bodies, concurrent keep-alive clients.

Run: `python tests/bench/run.py ingest` (PostgreSQL part needs MINECHECK_TEST_DATABASE_URL or
a local PostgreSQL at postgresql://postgres@127.0.0.1:5432/).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from tests.bench._common import markdown_table, scratch_pg_database, write_section
from tests.collector.conftest import start_server, stop_server
from tests.collector.factories import make_identity, make_report, report_gzip, report_json

ROOT = Path(__file__).resolve().parents[2]
DEVICES = 40
REPORTS = int(os.environ.get("BENCH_INGEST_REPORTS", "2000"))
WARMUP = 200
CLIENTS = int(os.environ.get("BENCH_INGEST_CLIENTS", "8"))
WORKERS = [int(w) for w in os.environ.get("BENCH_INGEST_WORKERS", "1,2").split(",")]
PG_URL = os.environ.get(
    "MINECHECK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/minecheck_test"
)


def cli(data: Path, database_url: str | None, *args: str) -> str:
    env = {**os.environ, "MINECHECK_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def post(conn: http.client.HTTPConnection, path: str, body: bytes, headers: dict) -> tuple:
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def run_backend(name: str, database_url: str | None, workers: int = 1) -> dict:
    data = Path(tempfile.mkdtemp(prefix=f"bench-ingest-{name}-"))
    cli(data, database_url, "manage", "migrate", "-v0")
    org = f"基准学校-{workers}"
    cli(data, database_url, "org", "add", org, "--kind", "school")
    out = cli(data, database_url, "token", "create", "--org", org)
    token = re.search(r"^(mce_\S+)$", out, re.M).group(1)
    servers = [start_server(data, database_url, threads=8) for _ in range(workers)]
    try:
        endpoints = [urlsplit(url) for _, url in servers]
        parts = endpoints[0]
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        devices = []
        for i in range(DEVICES):
            identity = make_identity(f"bench-{name}-{workers}-{i}")
            body = json.dumps(
                {"enrollment_token": token, "device": identity.model_dump(mode="json")}
            ).encode()
            status, answer = post(
                conn, "/api/v1/enroll", body, {"Content-Type": "application/json"}
            )
            assert status == 201, answer
            devices.append((identity, json.loads(answer)["device_token"]))
        conn.close()
        # realistic bodies: ~45 KB JSON (inventory, 120 top processes, 3 findings), gzip
        bodies = []
        sizes = []
        for n in range(WARMUP + REPORTS):
            identity, dtoken = devices[n % DEVICES]
            report = make_report(identity, seed=n, findings=3 if n % 4 == 0 else 0, processes=120)
            sizes.append(len(report_json(report)))
            bodies.append((dtoken, report_gzip(report)))
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def client(batch: list[tuple[str, bytes]], record: bool, where) -> None:
            conn = http.client.HTTPConnection(where.hostname, where.port, timeout=60)
            mine: list[float] = []
            codes: dict[int, int] = {}
            for dtoken, body in batch:
                started = time.perf_counter()
                status, _ = post(
                    conn,
                    "/api/v1/reports",
                    body,
                    {
                        "Authorization": f"Bearer {dtoken}",
                        "Content-Type": "application/json",
                        "Content-Encoding": "gzip",
                    },
                )
                mine.append(time.perf_counter() - started)
                codes[status] = codes.get(status, 0) + 1
            conn.close()
            if record:
                with lock:
                    latencies.extend(mine)
                    for k, v in codes.items():
                        statuses[k] = statuses.get(k, 0) + v

        def phase(items: list, record: bool) -> float:
            threads = [
                threading.Thread(
                    target=client, args=(items[i::CLIENTS], record, endpoints[i % workers])
                )
                for i in range(CLIENTS)
            ]
            started = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return time.perf_counter() - started

        phase(bodies[:WARMUP], False)
        procs = [psutil.Process(proc.pid) for proc, _ in servers]
        cpu_before = sum(sum(p.cpu_times()[:2]) for p in procs)
        elapsed = phase(bodies[WARMUP:], True)
        cpu_used = sum(sum(p.cpu_times()[:2]) for p in procs) - cpu_before
        latencies.sort()
        q = statistics.quantiles(latencies, n=100)
        return {
            "workers": workers,
            "cpu_ms": cpu_used / max(len(latencies), 1) * 1000,
            "backend": name,
            "reports": len(latencies),
            "seconds": elapsed,
            "rate": len(latencies) / elapsed,
            "p50": q[49] * 1000,
            "p99": q[98] * 1000,
            "statuses": statuses,
            "json_kb": statistics.mean(sizes) / 1024,
            "gzip_kb": statistics.mean(len(b) for _, b in bodies) / 1024,
        }
    finally:
        for proc, _ in servers:
            stop_server(proc)


def main() -> None:
    load_before = os.getloadavg()[0]
    results = [run_backend("SQLite", None, w) for w in WORKERS]
    with scratch_pg_database(PG_URL) as url:
        # one database for every worker count (reports pile up, as in real use)
        if url:
            results += [run_backend("PostgreSQL", url, w) for w in WORKERS]
    targets = {"SQLite": 150, "PostgreSQL": 300}
    rows = [
        [
            r["backend"],
            r["workers"],
            r["reports"],
            f"{r['rate']:.0f}",
            f"≥ {targets[r['backend']]}",
            f"{r['p50']:.1f}",
            f"{r['p99']:.1f}",
            "≤ 250",
            f"{r['cpu_ms']:.1f}",
            ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items())),
        ]
        for r in results
    ]
    body = (
        f"`minecheck-server run` processes (waitress, 8 threads each; with 2, the client "
        f"threads are spread over both, as behind a reverse proxy) on 127.0.0.1; {CLIENTS} "
        f"client threads with keep-alive connections in the benchmark process, uploading "
        f"gzip reports (mean {results[0]['json_kb']:.0f} KB JSON, "
        f"{results[0]['gzip_kb']:.0f} KB gzip: full inventory, 120 top processes, findings in "
        f"every 4th) of {DEVICES} enrolled devices; {WARMUP} warm-up uploads not counted. "
        "Server and clients share the machine's 2 cores, which other helpers' jobs also use, "
        "so figures vary between runs.\n\n"
        + markdown_table(
            [
                "database",
                "server processes",
                "reports",
                "reports/s",
                "target",
                "p50 ms",
                "p99 ms",
                "p99 target",
                "server CPU ms/report",
                "HTTP statuses",
            ],
            rows,
        )
    )
    body += (
        "\n\n*server CPU ms/report* is the CPU time (user + system) the collector process(es) "
        "spent per stored report (the database server's own CPU not included); it does not "
        "depend on how busy the machine is: 1000 / that figure is what one fully available "
        "core could ingest per second."
        f"\n\nLoad average (1 min) of the shared machine: {load_before:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after the runs."
    )
    write_section("ingest", "Collector: report ingestion", body)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
