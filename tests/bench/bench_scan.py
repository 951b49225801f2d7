"""`minecheck scan --sample-seconds 0`: wall time and peak RSS of the whole command.

Targets (issue 2, on the 2-core dev machine): <= 2 s and <= 60 MB peak RSS.
Each run is a fresh process (what a user double-clicking the agent gets); peak RSS comes
from wait4()'s rusage of that process (Linux reports ru_maxrss in KiB).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench._common import markdown_table, write_section

RUNS = 7
TARGET_SECONDS = 2.0
TARGET_MB = 60.0


def _minecheck() -> list[str]:
    script = Path(sys.executable).with_name("minecheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "agent"]


# `minecheck` with the detection engine replaced by one that finds nothing: what the
# pipeline, inventory, signature loading and report cost without the scanners.
NO_DETECTION = (
    "import sys, types; m = types.ModuleType('agent.detect.engine'); "
    "m.run_detection = lambda ctx, bundle, utilization: []; "
    "sys.modules['agent.detect.engine'] = m; "
    "from agent.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run_once(args: list[str], home: str) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MB, exit status, CPU seconds) of one `minecheck` run."""
    env = dict(os.environ, MINECHECK_HOME=home)
    command = _minecheck()
    if args and args[0] == "NO_DETECTION":
        command, args = [sys.executable, "-c", NO_DETECTION], args[1:]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, proc.returncode, usage.ru_utime + usage.ru_stime


def measure(args: list[str], runs: int = RUNS) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as home:
        run_once(args, home)  # warm the file cache (and compile .pyc) once
        walls, rss, cpus = [], [], []
        for _ in range(runs):
            wall, mb, code, cpu = run_once(args, home)
            cpus.append(cpu)
            if code not in (0, 1):
                raise RuntimeError(f"minecheck {' '.join(args)} exited {code}")
            walls.append(wall)
            rss.append(mb)
    return {
        "wall_median": statistics.median(walls),
        "wall_min": min(walls),
        "wall_max": max(walls),
        "rss_median": statistics.median(rss),
        "rss_max": max(rss),
        "cpu_median": statistics.median(cpus),
    }


def stage_times() -> list[list[object]]:
    """Seconds spent in each stage of one in-process scan (progress messages as markers)."""
    from agent.collectors.base import ScanOptions
    from agent.i18n import set_language
    from agent.scan import build_report

    set_language("en")
    marks: list[tuple[str, float]] = []
    stage_of = {
        "Reading the hardware inventory": "inventory",
        "Loading the signatures": "signature bundle",
        "Looking for mining software": "detection + verdict",
        "Writing the report": "report",
    }

    def progress(message: str, fraction: float | None) -> None:
        if message in stage_of:
            marks.append((stage_of[message], time.perf_counter()))

    started = time.perf_counter()
    build_report(ScanOptions(sample_seconds=0), progress=progress)
    ended = time.perf_counter()
    rows = []
    for i, (name, at) in enumerate(marks):
        until = marks[i + 1][1] if i + 1 < len(marks) else ended
        rows.append([name, f"{until - at:.2f} s"])
    rows.append(["total (in-process, after imports)", f"{ended - started:.2f} s"])
    return rows


def main() -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as out:
        json_path = str(Path(out) / "r.json")
        html_path = str(Path(out) / "r.html")
        cases = [
            (
                "scan --sample-seconds 0 --quiet --json FILE",
                ["scan", "--sample-seconds", "0", "--quiet", "--json", json_path],
            ),
            (
                "scan --sample-seconds 0 --quiet --json FILE --html FILE",
                [
                    "scan",
                    "--sample-seconds",
                    "0",
                    "--quiet",
                    "--json",
                    json_path,
                    "--html",
                    html_path,
                ],
            ),
            (
                "scan --sample-seconds 0 --quiet --json FILE, detection engine left out",
                ["NO_DETECTION", "scan", "--sample-seconds", "0", "--quiet", "--json", json_path],
            ),
            ("--version (interpreter + CLI start-up only)", ["--version"]),
        ]
        rows = []
        results = {}
        for label, args in cases:
            m = measure(args)
            results[label] = m
            rows.append(
                [
                    f"`minecheck {label}`",
                    f"{m['wall_median']:.2f} s ({m['wall_min']:.2f}–{m['wall_max']:.2f})",
                    f"{m['rss_median']:.1f} MB (max {m['rss_max']:.1f})",
                    f"{m['cpu_median']:.2f} s",
                ]
            )
    load_after = os.getloadavg()[0]
    main_case = results[cases[0][0]]
    verdict = (
        f"Target: ≤ {TARGET_SECONDS:.0f} s and ≤ {TARGET_MB:.0f} MB peak RSS. "
        f"Measured median {main_case['wall_median']:.2f} s "
        f"({'meets' if main_case['wall_median'] <= TARGET_SECONDS else 'MISSES'} the time "
        f"target), peak RSS {main_case['rss_max']:.1f} MB "
        f"({'meets' if main_case['rss_max'] <= TARGET_MB else 'MISSES'} the memory target)."
    )
    body = (
        f"{RUNS} fresh processes per line after one warm-up run; wall time median (min–max), "
        "peak RSS from wait4() rusage. The machine's 2 cores are shared with other developers' "
        f"test runs: 1-minute load average {load_before:.1f} before, {load_after:.1f} after, "
        "so wall times are pessimistic; the CPU time (user+system of the process and its "
        "children) does not depend on the load.\n\n"
        + markdown_table(["command", "wall time", "peak RSS", "CPU time (median)"], rows)
        + "\n\n"
        + verdict
    )
    body += "\n\nWhere the time goes (one in-process scan, same machine):\n\n" + markdown_table(
        ["stage", "time"], stage_times()
    )
    write_section("scan", "Scan without sampling: wall time and peak memory", body)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main()
