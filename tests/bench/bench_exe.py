"""Benchmark of the one-file executable: its size and its start-up time.

Measures ``dist/minecheck`` (built first when missing or older than its sources):
the file size, and the wall time of ``--version`` and of ``scan --sample-seconds 0`` for
the first run of a fresh copy and for repeated (warm) runs. The page cache cannot be
dropped here, so "first run" means a file never executed before, not a cold disk.
Targets: <= 30 MB and ``--version`` <= 1 s.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.bench._common import ROOT, markdown_table, write_section

SIZE_TARGET_MB = 30.0
VERSION_TARGET_S = 1.0
WARM_RUNS = {"--version": 10, "scan": 5}


def _exe() -> Path:
    sys.path.insert(0, str(ROOT / "build"))
    import build_exe

    sys.path.insert(0, str(ROOT / "tests" / "e2e"))
    from test_frozen_exe import _newest_input_mtime

    exe = build_exe.executable_path()
    if not exe.exists() or exe.stat().st_mtime < _newest_input_mtime():
        print("building dist/minecheck first", flush=True)
        build_exe.build()
    return exe


def _time(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children: user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr[-2000:]!r}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _row(
    label: str, first: str, warm: list[tuple[float, float]], target: float | None
) -> list[object]:
    walls = [w for w, _c in warm]
    med = statistics.median(walls)
    cpu = statistics.median(c for _w, c in warm)
    verdict = ""
    if target is not None:
        verdict = "yes" if max(float(first), med) <= target else "**no**"
    return [
        label,
        first,
        f"{med:.2f}",
        f"{min(walls):.2f}–{max(walls):.2f}",
        f"{cpu:.2f}",
        len(warm),
        verdict,
    ]


def main() -> None:
    exe = _exe()
    size_mb = exe.stat().st_size / 1e6
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "home").mkdir()
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder / "home"),
            "MINECHECK_HOME": str(folder / "home" / "mc"),
            "LANG": "zh_CN.UTF-8",
        }
        cases = {
            "`minecheck --version`": ["--version"],
            "`minecheck scan --sample-seconds 0`": [
                "scan",
                "--sample-seconds",
                "0",
                "--json",
                str(folder / "r.json"),
            ],
        }
        for i, (label, args) in enumerate(cases.items()):
            copy = folder / f"minecheck-{i}"
            shutil.copy2(exe, copy)
            first, _cpu = _time([str(copy), *args], folder, env)
            runs = WARM_RUNS["--version" if i == 0 else "scan"]
            warm = [_time([str(copy), *args], folder, env) for _ in range(runs)]
            target = VERSION_TARGET_S if i == 0 else None
            rows.append(_row(label, f"{first:.2f}", warm, target))
        src_env = dict(os.environ, PYTHONPATH=str(ROOT))
        src = [
            _time([sys.executable, "-m", "agent", "--version"], folder, src_env)
            for _ in range(WARM_RUNS["--version"])
        ]
        rows.append(
            _row("`python -m agent --version` (from source, for comparison)", "–", src, None)
        )
    load = os.getloadavg()

    size_ok = "yes" if size_mb <= SIZE_TARGET_MB else "**no**"
    headers = ["command", "first", "warm median", "warm range", "CPU", "runs", "≤ 1 s"]
    body = f"""
Executable `dist/minecheck` (PyInstaller one-file, no UPX): **{size_mb:.1f} MB**
(target ≤ {SIZE_TARGET_MB:.0f} MB: {size_ok}).

Wall time in seconds. "first" is the first run of a fresh copy of the file (the page cache
cannot be dropped on this machine, so the file is cached, but nothing was unpacked or run
from it before); "warm" are the repeated runs after it. A one-file executable unpacks its
libraries (about 44 MB) into a new temporary folder on every start, so warm runs pay that
too. "CPU" is the median CPU time of the warm runs (user + system, the unpacking parent and
its Python child together). The machine's 2 cores are shared with other jobs (load average
{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end of this run): when it is high, wall
time is mostly waiting for a core and the CPU column says what the executable itself costs.

{markdown_table(headers, rows)}
"""
    write_section("exe", "One-file executable: size and start-up", body)


if __name__ == "__main__":
    main()
