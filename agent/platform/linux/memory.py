"""Linux process memory: regions from /proc/PID/maps, read through /proc/PID/mem."""

from __future__ import annotations

import os

from agent.platform.types import Region


def parse_maps(text: str) -> list[Region]:
    """The lines of /proc/PID/maps as regions."""
    regions = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        lo, hi = parts[0].split("-")
        path = parts[5].strip() if len(parts) > 5 else ""
        regions.append(Region(int(lo, 16), int(hi, 16), parts[1], path))
    return regions


class ProcessMemory:
    """One process's memory; raises PermissionError / FileNotFoundError when opened."""

    def __init__(self, pid: int, proc_root: str = "/proc") -> None:
        with open(f"{proc_root}/{pid}/maps", encoding="utf-8", errors="replace") as fh:
            self._regions = parse_maps(fh.read())
        self._fd = os.open(f"{proc_root}/{pid}/mem", os.O_RDONLY)

    def regions(self) -> list[Region]:
        return self._regions

    def read(self, start: int, length: int) -> bytes:
        return os.pread(self._fd, length, start)

    def close(self) -> None:
        os.close(self._fd)
