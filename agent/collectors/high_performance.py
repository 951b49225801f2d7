"""High-performance classification: the notices single out servers and GPU workstations."""

from __future__ import annotations

from dataclasses import dataclass

from agent.i18n import N_, localized
from agent.wire.report import Hardware, HighPerformance, LocalizedText


@dataclass
class HighPerfThresholds:
    """When a device counts as high-performance (any rule fires)."""

    discrete_gpu_vram_mb: float = 4096
    logical_cores: int = 16
    memory_total_mb: float | None = 64 * 1024  # None disables the memory rule
    server_os: bool = True


def classify(hw: Hardware, th: HighPerfThresholds | None = None) -> HighPerformance:
    th = th or HighPerfThresholds()
    reasons: list[LocalizedText] = []
    categories: list[str] = []
    for gpu in hw.gpus:
        if gpu.discrete and (gpu.memory_total_mb or 0) >= th.discrete_gpu_vram_mb:
            reasons.append(
                localized(
                    N_("Discrete GPU {name} with {vram} MB of memory (threshold {limit} MB)"),
                    name=gpu.name,
                    vram=round(gpu.memory_total_mb or 0),
                    limit=round(th.discrete_gpu_vram_mb),
                )
            )
            categories.append("gpu_workstation")
    if th.server_os and hw.os is not None and hw.os.is_server:
        reasons.append(localized(N_("Server operating system: {name}"), name=hw.os.name))
        categories.append("server")
    cores = hw.cpu.logical_cores if hw.cpu else None
    if cores is not None and cores >= th.logical_cores:
        reasons.append(
            localized(
                N_("{cores} logical CPU cores (threshold {limit})"),
                cores=cores,
                limit=th.logical_cores,
            )
        )
        categories.append("many_core")
    mem = hw.memory.total_mb if hw.memory else None
    if th.memory_total_mb is not None and mem is not None and mem >= th.memory_total_mb:
        reasons.append(
            localized(
                N_("{gb} GB of memory (threshold {limit} GB)"),
                gb=round(mem / 1024),
                limit=round(th.memory_total_mb / 1024),
            )
        )
        categories.append("server")
    order = ("gpu_workstation", "server", "many_core")
    category = next((c for c in order if c in categories), None)
    return HighPerformance(is_high_performance=bool(reasons), reasons=reasons, category=category)
