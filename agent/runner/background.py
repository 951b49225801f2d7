"""Between scheduled scans: cheap continuous sampling whose result the next scan reads.

The supervisor samples whole-system CPU every 10 s and per-process CPU-seconds every 60 s
(the same sampler the scan uses, at a far lower rate) and hands the result to the next scan
worker through a file in the agent home. A miner that pauses while someone watches during
the scan still shows up here.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from agent.transport.spool import atomic_write
from agent.wire.report import Utilization

BACKGROUND_FILE = "background_utilization.json"
MAX_AGE_SECONDS = 7 * 24 * 3600


def start_sampler(own_pids: set[int]):
    """A low-rate sampler running in the supervisor between scans."""
    from agent.sampling.sampler import UtilizationSampler

    sampler = UtilizationSampler(interval=10.0, process_interval=60.0, own_pids=own_pids)
    sampler.start()
    return sampler


def save(home: Path, utilization: Utilization) -> Path:
    path = home / BACKGROUND_FILE
    payload = {"saved_at": time.time(), "utilization": utilization.model_dump(mode="json")}
    atomic_write(path, json.dumps(payload).encode("utf-8"))
    return path


def take(home: Path) -> Utilization | None:
    """Read (and remove) what the supervisor sampled since the last scan; None when absent,
    stale or unreadable."""
    path = home / BACKGROUND_FILE
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        path.unlink()
        if time.time() - float(payload["saved_at"]) > MAX_AGE_SECONDS:
            return None
        return Utilization.model_validate(payload["utilization"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def merge_for_detection(
    scan: Utilization | None, background: Utilization | None
) -> Utilization | None:
    """The scan window's utilization plus the background's heavy processes that the window
    did not see busy, so detection also looks closely at them."""
    if background is None:
        return scan
    if scan is None:
        return background
    seen = {p.pid for p in scan.top_processes}
    extra = [p for p in background.top_processes if p.pid not in seen]
    return scan.model_copy(update={"top_processes": [*scan.top_processes, *extra]})
