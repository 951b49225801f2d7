"""Which files belong to an installed dpkg package: the package lists read once, lazily."""

from __future__ import annotations

import glob
import os
import threading

_DPKG_INFO = "/var/lib/dpkg/info"
_MAX_LISTS = 20_000
_MAX_BYTES = 64 * 2**20
_owned: set[str] | None = None
_lock = threading.Lock()


def _load(info_dir: str) -> set[str]:
    """Every path named by ``info_dir/*.list`` (bounded in files and bytes read)."""
    out: set[str] = set()
    budget = _MAX_BYTES
    for path in sorted(glob.glob(os.path.join(info_dir, "*.list")))[:_MAX_LISTS]:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(budget)
        except OSError:
            continue
        budget -= len(text)
        out.update(line for line in text.splitlines() if line.startswith("/"))
        if budget <= 0:
            break
    return out


def package_owned(path: str, info_dir: str = _DPKG_INFO) -> bool:
    """True when a dpkg package installed ``path`` (or the file it resolves to)."""
    global _owned
    if info_dir != _DPKG_INFO:
        owned = _load(info_dir)
    else:
        with _lock:
            if _owned is None:
                _owned = _load(info_dir)
            owned = _owned
    if not owned:
        return False
    candidates = {path, os.path.realpath(path)}
    # usr-merged systems list /bin/x while the process shows /usr/bin/x (and the reverse)
    candidates |= {c.removeprefix("/usr") for c in list(candidates) if c.startswith("/usr/")}
    candidates |= {"/usr" + c for c in list(candidates) if not c.startswith("/usr/")}
    return any(c in owned for c in candidates)
