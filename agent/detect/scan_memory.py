"""YARA over process memory (memory-scope rules): the regions agent.detect.memregions
chooses, read through the OS reader of agent.platform."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import agent.platform as plat
from agent.detect import memregions
from agent.report.sanitize import printable

SEPARATOR = b"\x00" * 64


@dataclass
class MemoryResult:
    pid: int
    rules: dict[str, list[str]] = field(default_factory=dict)  # rule -> matched strings
    scanned_bytes: int = 0
    error: str | None = None  # permission / gone / unsupported / timeout


def scan_process_memory(
    pid: int, rules: Any, exe: str | None, *, deadline: float | None = None
) -> MemoryResult:
    """Match ``rules`` against the interesting regions of process ``pid``."""
    result = MemoryResult(pid)
    try:
        reader = plat.open_process_memory(pid, exe)
    except NotImplementedError:
        return _scan_with_yara_pid(pid, rules, result)
    except PermissionError:
        result.error = "permission"
        return result
    except OSError:  # FileNotFoundError, ProcessLookupError: the process is gone
        result.error = "gone"
        return result
    try:
        for batch in memregions.batches(memregions.select(reader.regions(), exe)):
            if deadline is not None and time.monotonic() > deadline:
                result.error = "timeout"
                break
            parts = []
            for start, length in batch:
                try:
                    parts.append(reader.read(start, length))
                except OSError:
                    continue
            data = SEPARATOR.join(parts)
            result.scanned_bytes += len(data)
            if data:
                _collect(rules.match(data=data, timeout=10), result)
    except PermissionError:
        result.error = "permission"
    finally:
        reader.close()
    return result


def _collect(matches: list, result: MemoryResult) -> None:
    for m in matches:
        found = result.rules.setdefault(m.rule, [])
        for s in m.strings:
            ident = getattr(s, "identifier", None)
            instances = getattr(s, "instances", None)
            if instances:
                text = printable(bytes(instances[0].matched_data[:80]))
            else:  # yara-python < 4.3 tuples
                text = printable(bytes(s[2][:80])) if isinstance(s, tuple) else str(ident)
            if text not in found and len(found) < 8:
                found.append(text)


def _scan_with_yara_pid(pid: int, rules: Any, result: MemoryResult) -> MemoryResult:
    """Other systems: YARA's own process scanner (reads every committed region)."""
    import yara

    try:
        _collect(rules.match(pid=pid, timeout=20), result)
    except yara.Error as exc:
        msg = str(exc).lower()
        result.error = "permission" if "access" in msg or "permission" in msg else "error"
    return result
