"""Cross-view check for hidden processes (Linux): pids that answer under /proc/PID but are
missing from the /proc directory listing, which a preload rootkit filters."""

from __future__ import annotations

import os
import time

_MAX_PROBES = 200_000


def _listed(proc: str) -> set[int]:
    return {int(n) for n in os.listdir(proc) if n.isdigit()}


def _last_pid(proc: str) -> int:
    try:
        with open(os.path.join(proc, "loadavg"), encoding="ascii") as fh:
            return int(fh.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


def _is_process(proc: str, pid: int) -> bool:
    """True for a process (thread-group leader); threads answer under /proc too."""
    try:
        with open(os.path.join(proc, str(pid), "status"), encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Tgid:"):
                    return int(line.split()[1]) == pid
    except (OSError, ValueError):
        return False
    return False


def hidden_pids(proc: str = "/proc", budget_s: float = 1.5) -> list[int]:
    """Processes reachable by pid but absent from two listings taken around the probe."""
    before = _listed(proc)
    top = max(_last_pid(proc), max(before, default=0))
    deadline = time.monotonic() + budget_s
    candidates = []
    for pid in range(1, min(top, _MAX_PROBES) + 1):
        if pid in before:
            continue
        if pid % 4096 == 0 and time.monotonic() > deadline:
            break
        if os.path.exists(os.path.join(proc, str(pid))) and _is_process(proc, pid):
            candidates.append(pid)
    if not candidates:
        return []
    after = _listed(proc)
    return [pid for pid in candidates if pid not in after and _is_process(proc, pid)]
