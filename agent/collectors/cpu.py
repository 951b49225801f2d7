"""CPU collector: brand, vendor, architecture, cores, frequencies and the flags miners use.

Linux reads /proc/cpuinfo directly (py-cpuinfo's get_cpu_info() starts a subprocess and
takes over a second); elsewhere py-cpuinfo is the portable path, with WMI on Windows.
"""

from __future__ import annotations

import logging
import os
import platform
import time
from typing import Any

import psutil

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.wire.report import CPUInfo

log = logging.getLogger(__name__)

# flag reported -> names it has in /proc/cpuinfo (x86 'flags', ARM 'Features') or py-cpuinfo
KEY_FLAGS: dict[str, tuple[str, ...]] = {
    "aes": ("aes",),
    "avx": ("avx",),
    "avx2": ("avx2",),
    "avx512f": ("avx512f",),
    "sse4_2": ("sse4_2", "sse4.2"),
    "sha_ni": ("sha_ni", "sha"),
    "bmi2": ("bmi2",),
    "adx": ("adx",),
    "vaes": ("vaes",),
    "sha2": ("sha2",),  # ARMv8 crypto extension
}

VENDORS = {
    "GenuineIntel": "Intel",
    "AuthenticAMD": "AMD",
    "HygonGenuine": "Hygon",
    "CentaurHauls": "Centaur",
    "  Shanghai  ": "Zhaoxin",
    "0x41": "ARM",
    "0x48": "HiSilicon",
    "0x70": "Phytium",
}


def key_flags(flags: set[str], arch: str | None) -> dict[str, bool]:
    lower = {f.lower() for f in flags}
    is_arm = (arch or "").lower().startswith(("arm", "aarch"))
    out = {}
    for name, aliases in KEY_FLAGS.items():
        if name == "sha2" and not is_arm:
            continue
        out[name] = any(a in lower for a in aliases)
    return out


def vendor_name(raw: str | None) -> str | None:
    if not raw:
        return None
    return VENDORS.get(raw, VENDORS.get(raw.strip(), raw.strip()))


def py_cpuinfo() -> dict[str, Any]:
    """py-cpuinfo's answer (slow: may start a subprocess); empty dict on failure."""
    started = time.perf_counter()
    try:
        import cpuinfo

        return cpuinfo.get_cpu_info() or {}
    except Exception:
        log.debug("py-cpuinfo failed", exc_info=True)
        return {}
    finally:
        log.debug("py-cpuinfo took %.3fs", time.perf_counter() - started)


def psutil_counts() -> tuple[int | None, int | None]:
    try:
        physical = psutil.cpu_count(logical=False)
    except (OSError, RuntimeError):
        physical = None
    return physical, psutil.cpu_count(logical=True) or os.cpu_count()


def psutil_max_mhz() -> float | None:
    try:
        freq = psutil.cpu_freq()
    except (OSError, RuntimeError, NotImplementedError):
        return None
    return round(freq.max, 1) if freq and freq.max else None


def collect_cpu(ctx: ScanContext) -> CPUInfo:
    arch = platform.machine() or None
    physical, logical = psutil_counts()
    if plat.IS_LINUX:
        from agent.platform.linux.cpu import read_cpu

        lx = read_cpu()
        return CPUInfo(
            brand=lx.brand,
            vendor=vendor_name(lx.vendor),
            architecture=arch,
            physical_cores=physical or lx.physical_cores,
            logical_cores=logical,
            base_mhz=lx.base_mhz,
            max_mhz=lx.max_mhz or psutil_max_mhz(),
            flags=key_flags(lx.flags, arch),
        )
    info = py_cpuinfo()
    flags = set(info.get("flags") or [])
    cpu = CPUInfo(
        brand=info.get("brand_raw"),
        vendor=vendor_name(info.get("vendor_id_raw")),
        architecture=info.get("arch_string_raw") or arch,
        physical_cores=physical,
        logical_cores=logical or info.get("count"),
        base_mhz=_hz_to_mhz(info.get("hz_advertised")),
        max_mhz=psutil_max_mhz(),
        flags=key_flags(flags, info.get("arch_string_raw") or arch) if flags else {},
    )
    if plat.IS_WINDOWS:
        from agent.platform.windows.inventory import read_cpu
        from agent.platform.windows.source import default_source

        w = read_cpu(default_source())
        cpu.brand = w.brand or cpu.brand
        cpu.vendor = vendor_name(w.vendor) or cpu.vendor
        cpu.physical_cores = cpu.physical_cores or w.physical_cores
        cpu.logical_cores = cpu.logical_cores or w.logical_cores
        cpu.max_mhz = w.max_mhz or cpu.max_mhz
    return cpu


def _hz_to_mhz(value: Any) -> float | None:
    """py-cpuinfo's hz pairs: [2596132000, 0] -> 2596.1."""
    try:
        return round(float(value[0]) / 1e6, 1) if value and value[0] else None
    except (TypeError, ValueError, IndexError):
        return None
