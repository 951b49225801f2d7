"""Cheap reads of every process's CPU times, for integrating CPU-seconds per process.

On Linux ``/proc/<pid>/stat`` is parsed directly (one small read per process, several times
faster than psutil's per-process calls); elsewhere psutil's ``process_iter`` is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psutil

import agent.platform as plat


@dataclass(frozen=True)
class ProcTimes:
    """One process's CPU times at one moment (seconds)."""

    pid: int
    name: str
    ppid: int
    created: float  # epoch seconds; with pid it identifies the process (pid reuse)
    cpu: float  # user + system of the process itself
    children: float  # user + system of its reaped children (0 where the OS does not tell)


class ProcTimesReader:
    """Reads :class:`ProcTimes` of all processes (``read_all``) or one (``read``)."""

    def __init__(self, proc_root: str = "/proc", use_procfs: bool | None = None) -> None:
        if use_procfs is None:
            use_procfs = plat.has_procfs(proc_root)
        self._linux = use_procfs
        self._root = proc_root
        self.denied = 0  # processes of the last read_all() whose times could not be read
        self.list_restricted = False  # the OS hides other users' processes from the list
        if self._linux:
            self._tick = float(os.sysconf("SC_CLK_TCK"))
            self._boot = psutil.boot_time()
            self.list_restricted = _procfs_hides_pids(proc_root)

    def read_all(self) -> dict[int, ProcTimes]:
        self.denied = 0
        if self._linux:
            out: dict[int, ProcTimes] = {}
            for entry in os.listdir(self._root):
                if entry.isdigit():
                    pt = self._read_linux(int(entry), count_denied=True)
                    if pt is not None:
                        out[pt.pid] = pt
            return out
        return self._read_psutil_all()

    def read(self, pid: int) -> ProcTimes | None:
        if self._linux:
            return self._read_linux(pid)
        try:
            return self._from_process(psutil.Process(pid))
        except (psutil.Error, OSError):
            return None

    # --- Linux ------------------------------------------------------------------------

    def _read_linux(self, pid: int, count_denied: bool = False) -> ProcTimes | None:
        try:
            with open(f"{self._root}/{pid}/stat", "rb") as fh:
                raw = fh.read()
        except PermissionError:
            if count_denied:
                self.denied += 1
            return None
        except OSError:  # gone meanwhile
            return None
        return parse_proc_stat(pid, raw, self._tick, self._boot)

    # --- other systems (psutil) --------------------------------------------------------

    def _read_psutil_all(self) -> dict[int, ProcTimes]:
        out: dict[int, ProcTimes] = {}
        for proc in psutil.process_iter():
            if proc.pid == 0:  # Windows "System Idle Process": its time is idle time
                continue
            try:
                pt = self._from_process(proc, raise_denied=True)
            except psutil.AccessDenied:
                self.denied += 1
                continue
            if pt is not None:
                out[pt.pid] = pt
        return out

    @staticmethod
    def _from_process(proc: psutil.Process, raise_denied: bool = False) -> ProcTimes | None:
        try:
            with proc.oneshot():
                t = proc.cpu_times()
                return ProcTimes(
                    pid=proc.pid,
                    name=proc.name(),
                    ppid=proc.ppid(),
                    created=proc.create_time(),
                    cpu=t.user + t.system,
                    children=getattr(t, "children_user", 0.0) + getattr(t, "children_system", 0.0),
                )
        except psutil.AccessDenied:
            if raise_denied:
                raise
            return None
        except (psutil.Error, OSError):
            return None


def _procfs_hides_pids(proc_root: str) -> bool:
    """True when /proc is mounted with hidepid=2/invisible and we are not root."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        return False
    try:
        with open(f"{proc_root}/mounts", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 4 and parts[1] == proc_root and parts[2] == "proc":
                    options = parts[3].split(",")
                    return "hidepid=2" in options or "hidepid=invisible" in options
    except OSError:
        return False
    return False


def parse_proc_stat(pid: int, raw: bytes, tick: float, boot_time: float) -> ProcTimes | None:
    """Parse one ``/proc/<pid>/stat`` line (comm may hold spaces and parentheses)."""
    try:
        open_paren = raw.index(b"(")
        close_paren = raw.rindex(b")")
        name = raw[open_paren + 1 : close_paren].decode("utf-8", "replace")
        fields = raw[close_paren + 2 :].split()
        # fields[0] is field 3 (state): utime=14, stime=15, cutime=16, cstime=17, start=22
        ppid = int(fields[1])
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        start = int(fields[19])
    except (ValueError, IndexError):
        return None
    return ProcTimes(
        pid=pid,
        name=name,
        ppid=ppid,
        created=boot_time + start / tick,
        cpu=(utime + stime) / tick,
        children=(cutime + cstime) / tick,
    )
