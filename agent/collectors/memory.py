"""Memory collector: physical memory and swap from psutil."""

from __future__ import annotations

import psutil

from agent.collectors.base import ScanContext
from agent.wire.report import MemoryInfo

MB = 2**20


def collect_memory(ctx: ScanContext) -> MemoryInfo:
    vm = psutil.virtual_memory()
    try:
        swap = round(psutil.swap_memory().total / MB, 1)
    except (OSError, RuntimeError):
        swap = None
    return MemoryInfo(
        total_mb=round(vm.total / MB, 1),
        available_mb=round(vm.available / MB, 1),
        swap_total_mb=swap,
    )
