"""Soak: many simulated agents (the real spool + uploader code, realistic reports) report to one
real collector (SQLite) for minutes through the loopback fault proxy; counts reports sent,
received, duplicated and lost (must be 0) and samples the collector's CPU and memory.

    MINECHECK_SOAK_AGENTS=200 MINECHECK_SOAK_SECONDS=180 MINECHECK_SOAK_INTERVAL=15 \
        python tests/bench/run.py soak
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import psutil
import requests

from tests.bench._common import markdown_table, write_section

ROOT = Path(__file__).resolve().parents[2]
AGENTS = int(os.environ.get("MINECHECK_SOAK_AGENTS", "200"))
SECONDS = float(os.environ.get("MINECHECK_SOAK_SECONDS", "180"))
INTERVAL = float(os.environ.get("MINECHECK_SOAK_INTERVAL", "15"))
WORKERS = int(os.environ.get("MINECHECK_SOAK_PROCESSES", "4"))
FAULTS = {"drop": 0.05, "truncate": 0.05, "delay": 0.1, "seed": 7}
DRAIN_SECONDS = 180.0


def _env(data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINECHECK_HOME")}
    return {**env, "MINECHECK_DATA": str(data), "PYTHONPATH": str(ROOT)}


def _cli(data: Path, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "collector_server.cli", *args, "--data", str(data)],
        check=True,
        capture_output=True,
        text=True,
        env=_env(data),
        cwd=ROOT,
    ).stdout


def _start(cmd: list[str], env: dict, log: Path, pattern: str) -> tuple[subprocess.Popen, str]:
    out = open(log, "w+b")  # noqa: SIM115 - handed to the child
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(pattern, log.read_text("utf-8", "replace"))
        if match:
            return proc, match.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(log.read_text("utf-8", "replace"))


def _enroll(base: str, token: str, seed: int) -> str:
    from tests.collector.factories import make_identity

    identity = make_identity(f"soak-{seed}")
    body = {"enrollment_token": token, "device": identity.model_dump(mode="json")}
    for _ in range(10):
        try:
            r = requests.post(base + "/api/v1/enroll", json=body, timeout=60)
            if r.status_code in (200, 201):
                return r.json()["device_token"]
        except requests.RequestException:
            pass
        time.sleep(1)
    raise RuntimeError(f"enrollment {seed} failed")


def _agent(
    seed: int,
    token: str,
    proxy_url: str,
    spool_root: Path,
    until: float,
    drain_until: float,
    out: dict,
) -> None:
    """One simulated agent: spool a realistic report every ~INTERVAL s and flush it."""
    from agent.config import ServerConfig
    from agent.transport.client import CollectorClient
    from agent.transport.spool import Spool
    from agent.transport.uploader import RetryPolicy, flush
    from tests.collector.factories import make_identity, make_report

    identity = make_identity(f"soak-{seed}")
    rng = random.Random(seed)
    spool = Spool(spool_root / str(seed))
    client = CollectorClient(
        ServerConfig(url=proxy_url, connect_timeout=10, read_timeout=60), token
    )
    policy = RetryPolicy(attempts=4, base_delay=0.5, max_delay=20, deadline_seconds=60)
    sent: list[str] = []
    acked = 0
    time.sleep(rng.uniform(0, INTERVAL))
    while time.monotonic() < until:
        report = make_report(
            identity,
            seed=f"{seed}-{len(sent)}",
            findings=rng.choice([0, 0, 2]),
            report_id=uuid.uuid4(),
            started_at=datetime.now(timezone.utc),
        )
        spool.put(str(report.report_id), report.model_dump_json().encode())
        sent.append(report.report_id.hex)
        acked += len(flush(spool, client, policy, rng=rng).sent)
        time.sleep(max(0.0, rng.uniform(0.5, 1.5) * INTERVAL))
    while spool.items() and time.monotonic() < drain_until:
        acked += len(flush(spool, client, policy, rng=rng).sent)
        if spool.items():
            time.sleep(rng.uniform(0.5, 2))
    out[seed] = {
        "sent": sent,
        "acked": acked,
        "left": [i.report_id for i in spool.items()],
        "rejected": len(list(spool.rejected.glob("*.json"))),
    }


def _worker(args: tuple) -> dict:
    seeds, tokens, proxy_url, spool_root, until, drain_until = args
    out: dict = {}
    threads = [
        threading.Thread(
            target=_agent, args=(s, tokens[s], proxy_url, Path(spool_root), until, drain_until, out)
        )
        for s in seeds
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _sample(proc: psutil.Process, stop: threading.Event, samples: list) -> None:
    proc.cpu_percent(None)
    while not stop.wait(1.0):
        try:
            samples.append((proc.cpu_percent(None), proc.memory_info().rss))
        except psutil.Error:
            return


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="minecheck-soak-"))
    data = tmp / "data"
    _cli(data, "init")
    _cli(data, "org", "add", "soak-school", "--kind", "school")
    token = _cli(data, "token", "create", "--org", "soak-school").splitlines()[1].strip()
    server, base = _start(
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
            "16",
            "--no-migrate",
        ],
        _env(data),
        tmp / "server.log",
        r"listening on (http://\S+?)/?\s",
    )
    port = base.rsplit(":", 1)[1]
    proxy, addr = _start(
        [
            sys.executable,
            str(ROOT / "tests" / "e2e" / "fault_proxy.py"),
            "--target",
            f"127.0.0.1:{port}",
            "--drop",
            str(FAULTS["drop"]),
            "--truncate",
            str(FAULTS["truncate"]),
            "--delay",
            str(FAULTS["delay"]),
            "--seed",
            str(FAULTS["seed"]),
        ],
        _env(data),
        tmp / "proxy.log",
        r"listening on (\S+)",
    )
    samples: list = []
    stop = threading.Event()
    sampler = threading.Thread(target=_sample, args=(psutil.Process(server.pid), stop, samples))
    try:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(16) as pool:
            tokens = dict(enumerate(pool.map(lambda s: _enroll(base, token, s), range(AGENTS))))
        sampler.start()
        started = time.monotonic()
        until, drain_until = started + SECONDS, started + SECONDS + DRAIN_SECONDS
        chunks = [list(range(AGENTS))[i::WORKERS] for i in range(WORKERS)]
        ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
        with ctx.Pool(WORKERS) as pool:
            parts = pool.map(
                _worker,
                [
                    (c, tokens, f"http://{addr}", str(tmp / "spools"), until, drain_until)
                    for c in chunks
                ],
            )
        elapsed = time.monotonic() - started
    finally:
        stop.set()
        proxy.terminate()
        server.terminate()
        server.wait(30)
    results = {k: v for part in parts for k, v in part.items()}
    sent = [rid for r in results.values() for rid in r["sent"]]
    left = sum(len(r["left"]) for r in results.values())
    rejected = sum(r["rejected"] for r in results.values())
    db = sqlite3.connect(data / "minecheck.sqlite3")
    stored = Counter(
        str(row[0]).replace("-", "") for row in db.execute("SELECT report_id FROM ingest_report")
    )
    db.close()
    received = sum(1 for rid in sent if stored.get(rid))
    duplicated = sum(n - 1 for n in stored.values() if n > 1)
    lost = len(sent) - received - left
    proxy_stats = (tmp / "proxy.log").read_text("utf-8", "replace").strip().splitlines()[-1]
    cpu = [c for c, _ in samples]
    rss = [m for _, m in samples]
    rows = [
        ["simulated agents", AGENTS],
        ["reporting period (s) / report interval (s)", f"{SECONDS:.0f} / ~{INTERVAL:.0f}"],
        ["wall time incl. drain (s)", f"{elapsed:.0f}"],
        ["reports sent (spooled)", len(sent)],
        ["reports received (stored once)", received],
        ["duplicated rows", duplicated],
        ["still spooled after the drain", left],
        ["rejected", rejected],
        ["lost (target 0)", lost],
        ["ingest rate (reports/s, average)", f"{len(sent) / max(elapsed, 1):.1f}"],
        [
            "collector CPU % of one core: mean / max",
            f"{sum(cpu) / max(len(cpu), 1):.0f} / {max(cpu, default=0):.0f}",
        ],
        ["collector RSS MiB: peak", f"{max(rss, default=0) / 2**20:.0f}"],
    ]
    body = (
        f"{AGENTS} agents in {WORKERS} processes run the real spool and uploader code "
        "(`agent.transport`) with realistic reports (`tests/collector/factories.make_report`: "
        "40 processes, inventory, findings on a third) against one collector (`minecheck-server "
        "run`, waitress 16 threads, SQLite WAL) through `tests/e2e/fault_proxy.py` (seeded: "
        f"drop {FAULTS['drop']:.0%}, truncate {FAULTS['truncate']:.0%}, delay "
        f"{FAULTS['delay']:.0%} of the chunks). After the reporting period every agent keeps "
        f"flushing until its spool is empty (at most {DRAIN_SECONDS:.0f} s). Everything runs "
        "on the same 2 shared cores as the other helpers' work, so CPU figures are upper "
        "bounds.\n\n"
        + markdown_table(["measure", "value"], rows)
        + f"\n\nFault proxy at the end: `{proxy_stats}`\n"
    )
    write_section("soak", "Soak: 200 agents through a faulty network (transport)", body)
    print(
        json.dumps(
            {
                "sent": len(sent),
                "received": received,
                "lost": lost,
                "duplicated": duplicated,
                "left": left,
            }
        )
    )
    if lost or duplicated:
        raise SystemExit("soak: reports lost or duplicated")


if __name__ == "__main__":
    main()
