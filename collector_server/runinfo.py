"""Which collector servers are serving a data folder right now (``<data>/servers/<pid>.json``).

`minecheck-server run` records itself while it serves; `make run` reads the record to find a
server that is already up instead of starting a second one and resetting the demo."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import psutil

FOLDER = "servers"


def _folder(data: Path) -> Path:
    return Path(data) / FOLDER


def record(data: Path, url: str, pid: int | None = None) -> Path:
    """Write this server's record atomically; returns its path (remove it with ``forget``)."""
    pid = os.getpid() if pid is None else pid
    folder = _folder(data)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{pid}.json"
    tmp = path.with_suffix(".tmp")
    started = psutil.Process(pid).create_time()
    tmp.write_text(
        json.dumps({"pid": pid, "url": url, "started": started, "recorded": time.time()}),
        encoding="utf-8",
    )
    os.replace(tmp, path)
    return path


def forget(data: Path, pid: int | None = None) -> None:
    (_folder(data) / f"{os.getpid() if pid is None else pid}.json").unlink(missing_ok=True)


def _alive(entry: dict) -> bool:
    """The recorded process still runs and is the same process (not a reused pid)."""
    try:
        proc = psutil.Process(int(entry["pid"]))
        return abs(proc.create_time() - float(entry["started"])) < 1.0
    except (psutil.Error, KeyError, TypeError, ValueError):
        return False


def running(data: Path) -> list[dict]:
    """Records of live servers on ``data``; stale records (crashed servers) are removed."""
    folder = _folder(data)
    if not folder.is_dir():
        return []
    live = []
    for path in sorted(folder.glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            entry = {}
        if isinstance(entry, dict) and _alive(entry):
            live.append(entry)
        else:
            path.unlink(missing_ok=True)
    return live
