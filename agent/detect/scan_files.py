"""YARA over the executables of running processes (file-scope rules), cached per file."""

from __future__ import annotations

import os
from typing import Any

import yara

from agent.report.sanitize import printable

_MAX_FILE = 128 * 2**20
_cache: dict[tuple[str, int, int, str | None, str], dict[str, list[str]]] = {}


def scan_file(
    path: str, rules: Any, sha256: str | None, rules_id: str, open_path: str | None = None
) -> dict[str, list[str]] | None:
    """rule -> matched strings for one file; cached by path+size+mtime+hash+rules."""
    try:
        st = os.stat(open_path or path)
    except OSError:
        return None
    if st.st_size > _MAX_FILE or not os.path.isfile(open_path or path):
        return None
    key = (path, st.st_size, st.st_mtime_ns, sha256, rules_id)
    if key in _cache:
        return _cache[key]
    out: dict[str, list[str]] = {}
    try:
        matches = _match_file(rules, open_path or path)
    except yara.TimeoutError:
        raise
    except (yara.Error, OSError):  # unreadable or vanished since stat(): not scanned
        return None
    for m in matches:
        out[m.rule] = [
            printable(bytes(s.instances[0].matched_data[:80]))
            for s in m.strings[:8]
            if getattr(s, "instances", None)
        ]
    _cache[key] = out
    return out


def _match_file(rules: Any, path: str) -> Any:
    """libyara maps the file: its pages stay clean page cache the kernel can reclaim,
    instead of a copy of a (possibly 100 MB) game executable on the Python heap.

    yara-python takes the path as UTF-8: a name that is not valid text (a way to hide) is
    opened here and mapped through its /proc/self/fd link, which is plain ASCII."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        if not os.path.isdir("/proc/self/fd"):
            raise OSError(f"cannot pass the file name {path!r} to YARA") from None
        fd = os.open(path, os.O_RDONLY)
        try:
            return rules.match(f"/proc/self/fd/{fd}", timeout=20)
        finally:
            os.close(fd)
    return rules.match(path, timeout=20)
