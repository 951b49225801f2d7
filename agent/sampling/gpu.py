"""GPU sampling through NVML (shared access in :mod:`agent.nvml`).

CONTRACT (used by agent.sampling.sampler):
    class GpuSampler:
        def __init__(self, nvml_module=None)  # None -> import pynvml; tests pass a fake
        available: bool                       # False when no NVIDIA driver (normal case)
        def sample(self) -> list[GpuSample]   # one row per GPU, now
        def process_usage(self) -> dict[int, ProcessGpuUse]  # pid -> use, where NVML tells
        def close(self) -> None
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from agent.nvml import NvmlError, NvmlSession

log = logging.getLogger(__name__)


@dataclass
class GpuSample:
    index: int
    uuid: str | None
    name: str | None
    utilization_percent: float | None
    memory_used_mb: float | None
    power_w: float | None


@dataclass
class ProcessGpuUse:
    pid: int
    memory_used_mb: float | None = None
    utilization_percent: float | None = None


class GpuSampler:
    """Current per-GPU readings and per-process GPU use; empty when there is no NVIDIA GPU."""

    def __init__(self, nvml_module: ModuleType | None = None) -> None:
        self.session = NvmlSession(nvml_module)
        self.error: str | None = None
        try:
            self.available = self.session.open() and bool(self.session.handles)
        except NvmlError as exc:
            self.error = str(exc)
            self.available = False
        self._static = {}
        if not self.available:
            self.session.close()  # nvmlInit succeeded with no GPU: release it now
        else:
            self._static = {i: self.session.static(i, h) for i, h in self.session.handles}
        self._last_seen: dict[int, int] = {}  # device index -> lastSeenTimeStamp (µs)

    def sample(self) -> list[GpuSample]:
        rows: list[GpuSample] = []
        if not self.available:
            return rows
        for index, handle in self.session.handles:
            now = self.session.now(index, handle)
            if index in self.session.lost:  # fell off the bus during this reading
                continue
            static = self._static.get(index)
            rows.append(
                GpuSample(
                    index=index,
                    uuid=static.uuid if static else None,
                    name=static.name if static else None,
                    utilization_percent=now.utilization_percent,
                    memory_used_mb=now.memory_used_mb,
                    power_w=now.power_w,
                )
            )
        return rows

    def process_usage(self) -> dict[int, ProcessGpuUse]:
        """pid -> GPU memory (compute + graphics contexts) and SM utilization since last call."""
        usage: dict[int, ProcessGpuUse] = {}
        if not self.available:
            return usage
        for index, handle in self.session.handles:
            self._add_memory(usage, index, handle)
            self._add_utilization(usage, index, handle)
        return usage

    def _add_memory(self, usage: dict[int, ProcessGpuUse], index: int, handle: Any) -> None:
        seen: set[int] = set()  # a pid with compute and graphics contexts is listed twice
        for fn in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
            for proc in self.session.call(fn, handle, default=[], index=index) or []:
                pid = int(proc.pid)
                entry = usage.setdefault(pid, ProcessGpuUse(pid=pid))
                used = getattr(proc, "usedGpuMemory", None)  # bytes; None under Windows WDDM
                if used is None or pid in seen:
                    continue
                seen.add(pid)
                entry.memory_used_mb = round((entry.memory_used_mb or 0.0) + used / 2**20, 1)

    def _add_utilization(self, usage: dict[int, ProcessGpuUse], index: int, handle: Any) -> None:
        last = self._last_seen.get(index, 0)
        samples = self.session.call(
            "nvmlDeviceGetProcessUtilization", handle, last, default=None, index=index
        )
        if not samples:
            return
        per_pid: dict[int, list[float]] = {}
        newest = last
        for s in samples:
            ts = int(getattr(s, "timeStamp", 0) or 0)
            if ts and ts <= last:
                continue
            newest = max(newest, ts)
            per_pid.setdefault(int(s.pid), []).append(float(s.smUtil))
        self._last_seen[index] = newest
        for pid, values in per_pid.items():
            if pid == 0:
                continue
            entry = usage.setdefault(pid, ProcessGpuUse(pid=pid))
            avg = sum(values) / len(values)
            entry.utilization_percent = round((entry.utilization_percent or 0.0) + avg, 1)

    def close(self) -> None:
        self.session.close()
        self.available = False
