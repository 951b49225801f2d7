"""Utilization sampler overhead: its own CPU time over a 60 s window (target ≤ 0.5 % of one
core), measured in a separate process that does nothing but sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from tests.bench._common import markdown_table, write_section

WINDOW = 60.0
TARGET_PERCENT = 0.5

CHILD = r"""
import json, sys, time
from agent.platform.nvml import GpuSampler
from agent.sampling.sampler import UtilizationSampler
from agent.sampling.proctimes import ProcTimesReader
window = float(sys.argv[1])
gpu = GpuSampler()
reader = ProcTimesReader()
t = time.perf_counter(); c = time.process_time()
for _ in range(20):
    n = len(reader.read_all())
scan_ms = (time.process_time() - c) / 20 * 1000
sampler = UtilizationSampler(gpu=gpu, reader=reader)
cpu0, wall0 = time.process_time(), time.monotonic()
util = sampler.sample_for(window)
cpu1, wall1 = time.process_time(), time.monotonic()
print(json.dumps({
    "cpu": cpu1 - cpu0, "wall": wall1 - wall0, "samples": util.samples,
    "processes": n, "scan_ms": scan_ms, "gpu": gpu.available,
    "interval": sampler.interval, "process_interval": sampler.process_interval,
}))
"""


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(WINDOW)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=WINDOW + 120,
        check=True,
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    load_after = os.getloadavg()[0]
    percent = data["cpu"] / data["wall"] * 100.0
    rows = [
        ["window", f"{data['wall']:.1f} s"],
        ["sampler CPU time (user+system)", f"{data['cpu'] * 1000:.0f} ms"],
        ["overhead", f"**{percent:.2f} % of one core**"],
        ["whole-system samples", f"{data['samples']} (every {data['interval']:.0f} s)"],
        ["per-process scans", f"every {data['process_interval']:.0f} s"],
        ["processes on the machine", data["processes"]],
        ["one per-process scan", f"{data['scan_ms']:.1f} ms CPU"],
        ["NVML GPU present", "yes" if data["gpu"] else "no (GPU sampling path not exercised)"],
    ]
    status = "meets" if percent <= TARGET_PERCENT else "MISSES"
    body = (
        f"The sampler runs alone in a fresh process; overhead = its CPU time (process_time) "
        f"from start() to stop() divided by the wall time. Target ≤ {TARGET_PERCENT} % of one "
        f"core: **{status}**. The 2 cores are shared with other developers' test runs (1-minute "
        f"load {load_before:.1f} before, {load_after:.1f} after); CPU time, not wall time, is "
        "measured, so the load mostly does not inflate the figure.\n\n"
        + markdown_table(["", "value"], rows)
        + f"\n\npsutil {psutil.__version__}, pid {os.getpid()}, measured "
        + time.strftime("%H:%M UTC", time.gmtime())
    )
    write_section("sampler", "Utilization sampler overhead (60 s window)", body)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
