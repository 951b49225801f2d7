"""CPU collector: brand, vendor, architecture, cores, frequencies and the flags miners use.

The OS package reads it (agent.platform: Linux /proc/cpuinfo directly, since py-cpuinfo's
get_cpu_info() starts a subprocess and takes over a second; Windows WMI over py-cpuinfo;
py-cpuinfo elsewhere).
"""

from __future__ import annotations

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.platform.portable import KEY_FLAGS, VENDORS, key_flags, vendor_name
from agent.wire.report import CPUInfo

__all__ = ["KEY_FLAGS", "VENDORS", "collect_cpu", "key_flags", "vendor_name"]


def collect_cpu(ctx: ScanContext) -> CPUInfo:
    return plat.cpu_info()
