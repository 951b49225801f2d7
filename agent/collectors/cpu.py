"""CPU collector: brand, vendor, architecture, cores, frequencies and the flags miners use.

The OS package reads it (agent.platform: Linux /proc/cpuinfo directly, since py-cpuinfo's
get_cpu_info() starts a subprocess and takes over a second; Windows WMI over py-cpuinfo;
py-cpuinfo elsewhere); the flag and vendor tables are in agent.platform.portable.
"""

from __future__ import annotations

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.wire.report import CPUInfo


def collect_cpu(ctx: ScanContext) -> CPUInfo:
    return plat.cpu_info()
