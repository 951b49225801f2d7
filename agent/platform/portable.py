"""Portable facts (psutil, py-cpuinfo, the ``platform`` module) every OS package builds on,
and the small pure helpers they share. No OS branches here."""

from __future__ import annotations

import logging
import os
import platform
import time
from datetime import datetime, timezone
from typing import Any

import psutil

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
    """The CPU flags miners use, true/false, from the raw flag names."""
    lower = {f.lower() for f in flags}
    is_arm = (arch or "").lower().startswith(("arm", "aarch"))
    out = {}
    for name, aliases in KEY_FLAGS.items():
        if name == "sha2" and not is_arm:
            continue
        out[name] = any(a in lower for a in aliases)
    return out


def vendor_name(raw: str | None) -> str | None:
    """'GenuineIntel' -> 'Intel'; unknown vendor ids pass through stripped."""
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
    """(physical, logical) core counts."""
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


def hz_to_mhz(value: Any) -> float | None:
    """py-cpuinfo's hz pairs: [2596132000, 0] -> 2596.1."""
    try:
        return round(float(value[0]) / 1e6, 1) if value and value[0] else None
    except (TypeError, ValueError, IndexError):
        return None


def machine_arch() -> str | None:
    return platform.machine() or None


def boot_time() -> datetime | None:
    try:
        return datetime.fromtimestamp(psutil.boot_time(), tz=timezone.utc)
    except (OSError, RuntimeError, ValueError):
        return None


_WINDOWS_SYSTEM_DIRS = (
    "c:\\windows\\",
    "c:\\program files\\",
    "c:\\program files (x86)\\",
    "c:\\programdata\\microsoft\\windows defender\\",
)


def looks_like_windows_path(path: str) -> bool:
    """'C:\\...' or 'c:/...': a drive letter (a Windows path seen anywhere)."""
    return len(path) > 2 and path[1] == ":"


def windows_system_file(path: str) -> bool:
    """Under Windows, Program Files or WindowsApps (where only installers and the Store
    write)."""
    low = path.replace("/", "\\").lower()
    return low.startswith(_WINDOWS_SYSTEM_DIRS) or "\\windowsapps\\" in low
