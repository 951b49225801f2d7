"""Process snapshot for the scanners: name, cmdline, exe (+ sha256, cached), parent, user."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field

import psutil

import agent.platform as plat

_HASH_LIMIT = 256 * 2**20
_hash_cache: dict[tuple[str, int, int], str] = {}


@dataclass
class ProcInfo:
    pid: int
    name: str
    cmdline: list[str]
    exe: str | None = None
    exe_link: str | None = None  # raw /proc/PID/exe target (may end in " (deleted)")
    exe_deleted: bool = False
    ppid: int | None = None
    parent_name: str | None = None
    user: str | None = None
    create_time: float | None = None
    cwd: str | None = None
    sha256: str | None = None
    tags: set[str] = field(default_factory=set)

    @property
    def cmdline_text(self) -> str:
        return " ".join(self.cmdline)

    @property
    def kernel_thread(self) -> bool:
        return plat.is_kernel_thread(self.cmdline, self.exe)


def sha256_file(path: str, open_path: str | None = None) -> str | None:
    """sha256 of a file, cached by path+size+mtime; ``open_path`` reads another name for it."""
    try:
        st = os.stat(open_path or path)
    except OSError:
        return None
    if st.st_size > _HASH_LIMIT:
        return None
    key = (path, st.st_size, st.st_mtime_ns)
    cached = _hash_cache.get(key)
    if cached:
        return cached
    h = hashlib.sha256()
    try:
        with open(open_path or path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return None
    _hash_cache[key] = h.hexdigest()
    return _hash_cache[key]


def snapshot(own_pids: set[int], deadline: float | None = None) -> list[ProcInfo]:
    """Every process but the agent's own, with what can be read without failing."""
    out: list[ProcInfo] = []
    names: dict[int, str] = {}
    attrs = ["pid", "name", "cmdline", "exe", "ppid", "username", "create_time", "cwd"]
    for p in psutil.process_iter(attrs, ad_value=None):
        info = p.info
        names[info["pid"]] = info.get("name") or ""
        if info["pid"] in own_pids or info["pid"] == 0:
            continue
        if deadline is not None and time.monotonic() > deadline:
            break
        pi = ProcInfo(
            pid=info["pid"],
            name=info.get("name") or "",
            cmdline=list(info.get("cmdline") or []),
            exe=info.get("exe") or None,
            ppid=info.get("ppid"),
            user=info.get("username"),
            create_time=info.get("create_time"),
            cwd=info.get("cwd"),
        )
        plat.refine_process(pi)
        out.append(pi)
    for pi in out:
        if pi.ppid is not None:
            pi.parent_name = names.get(pi.ppid)
    return out


def hash_exe(pi: ProcInfo) -> str | None:
    """sha256 of the process's executable (read through /proc/PID/exe when deleted)."""
    if pi.sha256 is None and pi.exe:
        via = f"/proc/{pi.pid}/exe" if pi.exe_deleted else None
        pi.sha256 = sha256_file(pi.exe, via)
    return pi.sha256
