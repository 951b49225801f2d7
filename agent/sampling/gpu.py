"""GPU sampling through NVML.

CONTRACT (used by agent.sampling.sampler):
    class GpuSampler:
        def __init__(self, nvml_module=None)  # None -> import pynvml; tests pass a fake
        available: bool                       # False when no NVIDIA driver (normal case)
        def sample(self) -> list[GpuSample]   # one row per GPU, now
        def process_usage(self) -> dict[int, ProcessGpuUse]  # pid -> use, where NVML tells
        def close(self) -> None
"""

from __future__ import annotations

from dataclasses import dataclass


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
    """Placeholder until the NVML part lands: reports no GPU."""

    def __init__(self, nvml_module=None) -> None:
        self.available = False

    def sample(self) -> list[GpuSample]:
        return []

    def process_usage(self) -> dict[int, ProcessGpuUse]:
        return {}

    def close(self) -> None:
        pass
