"""The agent's self-limits: a worker above its memory or CPU budget is stopped and restarted.

Defaults follow the best peers (DESIGN.md): above 200 MB resident, or above 10 % of all
cores held for 12 seconds.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import psutil

import agent.platform as plat


@dataclass
class Budget:
    max_rss_mb: float = 200.0
    max_cpu_share: float = 0.10  # of all cores together
    cpu_window_seconds: float = 12.0
    poll_seconds: float = 1.0
    timeout_seconds: float = 900.0


@dataclass
class WorkerResult:
    returncode: int | None
    exceeded: str | None = None  # "memory", "cpu", "timeout" or None
    peak_rss_mb: float = 0.0
    restarts: int = 0
    reasons: list[str] = field(default_factory=list)


def lower_priority(pid: int | None = None) -> None:
    """Below-normal priority for the agent (and the workers it starts)."""
    with contextlib.suppress(psutil.Error, OSError, AttributeError):
        plat.lower_priority(psutil.Process(pid))


def _tree_rss_and_cpu(proc: psutil.Process) -> tuple[float, float]:
    procs = [proc]
    with contextlib.suppress(psutil.Error):
        procs += proc.children(recursive=True)
    rss = cpu = 0.0
    for p in procs:
        try:
            with p.oneshot():
                rss += p.memory_info().rss
                t = p.cpu_times()
                cpu += t.user + t.system
        except psutil.Error:
            continue
    return rss / 2**20, cpu


def _stop(popen: subprocess.Popen) -> None:
    try:
        parent = psutil.Process(popen.pid)
        for child in parent.children(recursive=True):
            child.kill()
    except psutil.Error:
        pass
    popen.kill()
    popen.wait()


def watch(cmd: Sequence[str], budget: Budget, env: dict[str, str] | None = None) -> WorkerResult:
    """Run ``cmd`` once under ``budget``; stop it when it exceeds it."""
    popen = subprocess.Popen(list(cmd), env=env, stdin=subprocess.DEVNULL)
    lower_priority(popen.pid)
    cores = os.cpu_count() or 1
    proc = psutil.Process(popen.pid)
    started = time.monotonic()
    history: list[tuple[float, float]] = []  # (time, cumulative cpu seconds)
    peak = 0.0
    while popen.poll() is None:
        now = time.monotonic()
        rss, cpu = _tree_rss_and_cpu(proc)
        peak = max(peak, rss)
        history.append((now, cpu))
        history = [
            h for h in history if now - h[0] <= budget.cpu_window_seconds + budget.poll_seconds
        ]
        exceeded = None
        if rss > budget.max_rss_mb:
            exceeded = "memory"
        elif now - history[0][0] >= budget.cpu_window_seconds:
            share = (cpu - history[0][1]) / (now - history[0][0]) / cores
            if share > budget.max_cpu_share:
                exceeded = "cpu"
        if exceeded is None and now - started > budget.timeout_seconds:
            exceeded = "timeout"
        if exceeded:
            _stop(popen)
            return WorkerResult(None, exceeded, peak)
        time.sleep(budget.poll_seconds)
    return WorkerResult(popen.returncode, None, peak)


def worker_command(args: Sequence[str]) -> list[str]:
    """How to start the agent itself as a worker (frozen executable or Python package)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "agent", *args]
