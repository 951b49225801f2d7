"""The spool: every report is written here atomically before any upload is tried.

A report leaves ``pending/`` only when the collector acknowledged it (or, for a report the
collector can never accept, it moves to ``rejected/`` with the reason beside it). The spool
is bounded by count and bytes; when it must drop, it drops the oldest and counts the drops,
and that count travels in the next uploaded report.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import agent.platform as plat

STATE_FILE = "state.json"


@dataclass(frozen=True)
class SpooledReport:
    report_id: str
    path: Path
    size: int


def _fsync_dir(path: Path) -> None:
    plat.fsync_dir(path)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


class Spool:
    def __init__(self, root: Path, max_reports: int = 200, max_bytes: int = 50 * 1024 * 1024):
        self.root = root
        self.pending = root / "pending"
        self.rejected = root / "rejected"
        self.max_reports = max_reports
        self.max_bytes = max_bytes
        self.pending.mkdir(parents=True, exist_ok=True)
        self.rejected.mkdir(parents=True, exist_ok=True)

    # -- state: how many reports were dropped and not yet told to the collector ---------

    def _state(self) -> dict:
        try:
            return json.loads((self.root / STATE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _save_state(self, state: dict) -> None:
        atomic_write(self.root / STATE_FILE, json.dumps(state).encode())

    @property
    def dropped(self) -> int:
        return int(self._state().get("dropped", 0))

    def clear_dropped(self, count: int) -> None:
        """The collector has been told about ``count`` drops."""
        state = self._state()
        state["dropped"] = max(0, int(state.get("dropped", 0)) - count)
        self._save_state(state)

    # -- reports -------------------------------------------------------------------------

    def put(self, report_id: str, body: bytes) -> SpooledReport:
        """Store one report (JSON bytes) atomically, then enforce the bounds."""
        # Names sort by time of spooling: oldest first.
        name = f"{time.time_ns():020d}-{report_id}.json"
        path = self.pending / name
        atomic_write(path, body)
        self._enforce_bounds(keep=path)
        return SpooledReport(report_id, path, len(body))

    def items(self) -> list[SpooledReport]:
        out = []
        for path in sorted(self.pending.glob("*.json")):
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            report_id = path.stem.split("-", 1)[1] if "-" in path.stem else path.stem
            out.append(SpooledReport(report_id, path, size))
        return out

    def ack(self, item: SpooledReport) -> None:
        item.path.unlink(missing_ok=True)
        _fsync_dir(self.pending)

    def reject(self, item: SpooledReport, reason: str) -> Path:
        target = self.rejected / item.path.name
        os.replace(item.path, target)
        atomic_write(target.with_suffix(".reason.txt"), reason.encode("utf-8"))
        return target

    def _enforce_bounds(self, keep: Path) -> None:
        items = self.items()
        total = sum(i.size for i in items)
        dropped = 0
        for item in items:
            if len(items) - dropped <= self.max_reports and total <= self.max_bytes:
                break
            if item.path == keep:
                continue
            item.path.unlink(missing_ok=True)
            total -= item.size
            dropped += 1
        if dropped:
            state = self._state()
            state["dropped"] = int(state.get("dropped", 0)) + dropped
            self._save_state(state)
