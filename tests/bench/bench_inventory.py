"""Inventory speed: collect_inventory() wall time in a fresh process and repeated in one,
each collector's share, and py-cpuinfo's cost (why Linux reads /proc/cpuinfo itself)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

from tests.bench._common import ROOT, markdown_table, write_section

RUNS = 10

CHILD = """
import json, time
t0 = time.perf_counter()
from agent.collectors.base import ScanContext
from agent.collectors.inventory import collect_inventory
t1 = time.perf_counter()
collect_inventory(ScanContext())
t2 = time.perf_counter()
import resource
print(json.dumps({"import_s": t1 - t0, "collect_s": t2 - t1,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def per_collector() -> list[list[object]]:
    from agent.collectors import cpu, disks, gpu, identity, memory, nics, os_info
    from agent.collectors.base import ScanContext

    ctx = ScanContext()
    found = nics.collect_nics(ctx)
    steps = [
        ("os", lambda: os_info.collect_os(ctx)),
        ("cpu", lambda: cpu.collect_cpu(ctx)),
        ("memory", lambda: memory.collect_memory(ctx)),
        ("gpu (NVML + OS)", lambda: gpu.collect_gpus(ctx)),
        ("disks", lambda: disks.collect_disks(ctx)),
        ("nics", lambda: nics.collect_nics(ctx)),
        ("identity", lambda: identity.collect_identity(ctx, found)),
        ("py-cpuinfo get_cpu_info() (not used on Linux)", cpu.py_cpuinfo),
    ]
    rows = []
    for name, fn in steps:
        times = []
        for _ in range(3 if "py-cpuinfo" in name else RUNS):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        rows.append([name, f"{statistics.median(times) * 1000:.1f}"])
    return rows


def main() -> None:
    fresh = []
    for _ in range(5):
        out = subprocess.run(
            [sys.executable, "-c", CHILD], capture_output=True, text=True, check=True, cwd=ROOT
        )
        fresh.append(json.loads(out.stdout.strip().splitlines()[-1]))
    imp = statistics.median(r["import_s"] for r in fresh)
    col = statistics.median(r["collect_s"] for r in fresh)
    rss = max(r["maxrss_mb"] for r in fresh)
    body = (
        "Fresh process, median of 5 (target: whole scan without sampling ≤ 2 s, ≤ 60 MB):\n\n"
        + markdown_table(
            ["import (s)", "collect_inventory (s)", "peak RSS (MB)"],
            [[f"{imp:.3f}", f"{col:.3f}", f"{rss:.1f}"]],
        )
        + f"\n\nPer collector, median of {RUNS} warm runs (ms):\n\n"
        + markdown_table(["collector", "ms"], per_collector())
        + f"\n\nLoad average during the run: {os.getloadavg()[0]:.1f}. "
        "The machine has 2 cores shared with other helpers' work; figures vary with load. "
        "No NVIDIA driver here: the NVML part is the library-not-found path."
    )
    write_section("inventory", "Hardware inventory", body)


if __name__ == "__main__":
    main()
