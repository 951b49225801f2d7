"""Memory scan of a miner holding a 2.5 GB RandomX-fast-like dataset: minecheck's region
selection vs yara-python's whole-process scan vs the `yara RULES PID` command line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from agent.bundle import load_bundle  # noqa: E402
from agent.detect.scan_memory import scan_process_memory  # noqa: E402
from tests.bench._common import markdown_table, write_section  # noqa: E402
from tests.fixtures.miners import launch  # noqa: E402
from tests.fixtures.miners.pool import StratumPool  # noqa: E402

DATASET_MB = int(os.environ.get("BENCH_DATASET_MB", "2560"))


def _rss_gb(pid: int) -> float:
    import psutil

    return psutil.Process(pid).memory_info().rss / 2**30


def _wait_dataset(pid: int, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if _rss_gb(pid) * 1024 >= DATASET_MB * 0.98:
            return
        time.sleep(0.5)
    raise RuntimeError("dataset not allocated in time")


def main() -> None:
    bundle = load_bundle()
    rules_files = sorted(str(p) for p in (ROOT / "signatures/yara/memory").glob("*.yar"))
    rows: list[list[object]] = []
    with StratumPool() as pool:
        proc = launch.spawn(
            [
                launch.PYTHON,
                str(launch.FAKE_MINER),
                "-o",
                f"127.0.0.1:{pool.port}",
                "-u",
                launch.WALLET,
            ],
            env={"FAKE_MINER_DATASET_MB": str(DATASET_MB), "FAKE_MINER_THROTTLE": "0.05"},
        )
        try:
            _wait_dataset(proc.pid)
            launch.wait_logged_in(pool, 1, timeout=60)
            rss = _rss_gb(proc.pid)
            t = time.perf_counter()
            res = scan_process_memory(proc.pid, bundle.memory_rules, launch.PYTHON)
            ours = time.perf_counter() - t
            rows.append(
                [
                    "minecheck (region selection)",
                    f"{ours:.2f}",
                    f"{ours / rss:.2f}",
                    f"{res.scanned_bytes / 2**20:.0f} MB",
                    ", ".join(sorted(res.rules)) or "nothing",
                ]
            )
            t = time.perf_counter()
            full = bundle.memory_rules.match(pid=proc.pid, timeout=600)
            whole = time.perf_counter() - t
            rows.append(
                [
                    "yara-python `match(pid=)` (whole process)",
                    f"{whole:.2f}",
                    f"{whole / rss:.2f}",
                    f"{rss:.2f} GB",
                    ", ".join(sorted(m.rule for m in full)) or "nothing",
                ]
            )
            cli = shutil.which("yara")
            if cli:
                t = time.perf_counter()
                out = subprocess.run(
                    [cli, *rules_files, str(proc.pid)],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    check=False,
                )
                took = time.perf_counter() - t
                names = sorted({line.split()[0] for line in out.stdout.splitlines() if line})
                ver = subprocess.run(
                    [cli, "--version"], capture_output=True, text=True, check=False
                ).stdout.strip()
                rows.append(
                    [
                        f"`yara RULES PID` (CLI {ver})",
                        f"{took:.2f}",
                        f"{took / rss:.2f}",
                        f"{rss:.2f} GB",
                        ", ".join(names) or (out.stderr.strip()[:80] or "nothing"),
                    ]
                )
            else:
                rows.append(["`yara RULES PID`", "skipped: yara CLI not installed", "", "", ""])
        finally:
            launch.stop(proc)
    body = (
        f"A miner-like process (tests/fixtures/miners/fake_miner.py, logged into the loopback "
        f"pool) holding a {DATASET_MB} MB pseudo-random anonymous region like RandomX fast "
        f"mode; resident size {rss:.2f} GB. Rules: the shipped memory-scope rules. Target: "
        "found in <= 3 s. The machine has 2 cores shared with other jobs.\n\n"
        + markdown_table(
            ["scanner", "seconds", "s per GB resident", "bytes scanned", "rules matched"], rows
        )
    )
    write_section("memscan", "Memory scan of a RandomX-fast-sized miner", body)


if __name__ == "__main__":
    main()
