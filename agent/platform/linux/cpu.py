"""CPU facts from /proc/cpuinfo and cpufreq in sysfs (fast; py-cpuinfo spawns a process)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field

from agent.platform.linux.sysfs import Root


@dataclass
class LinuxCpu:
    brand: str | None = None
    vendor: str | None = None
    flags: set[str] = field(default_factory=set)
    base_mhz: float | None = None
    max_mhz: float | None = None
    physical_cores: int | None = None


def parse_cpuinfo(text: str) -> tuple[dict[str, str], int | None]:
    """First processor block's fields, and the physical core count (unique package/core ids)."""
    first: dict[str, str] = {}
    cores: set[tuple[str, str]] = set()
    block: dict[str, str] = {}
    blocks = 0

    def close(b: dict[str, str]) -> None:
        if "core id" in b:
            cores.add((b.get("physical id", "0"), b["core id"]))

    for line in text.splitlines():
        if not line.strip():
            if block:
                close(block)
                blocks += 1
                if not first:
                    first = dict(block)
                block = {}
            continue
        key, sep, value = line.partition(":")
        if sep:
            block[key.strip()] = value.strip()
    if block:
        close(block)
        if not first:
            first = dict(block)
    # ARM puts "Hardware"/"Model" in a trailing block; keep any first-block key missing
    return first, (len(cores) or None)


def _khz_to_mhz(value: str | None) -> float | None:
    try:
        return round(int(value) / 1000.0, 1) if value else None
    except ValueError:
        return None


def read_cpu(root: Root | None = None) -> LinuxCpu:
    root = root or Root()
    text = root.read("proc/cpuinfo") or ""
    first, physical = parse_cpuinfo(text)
    out = LinuxCpu(physical_cores=physical)
    out.brand = first.get("model name") or first.get("Processor") or first.get("cpu model")
    out.vendor = first.get("vendor_id") or first.get("CPU implementer")
    flags = first.get("flags") or first.get("Features") or ""
    out.flags = set(flags.split())
    freq = "sys/devices/system/cpu/cpu0/cpufreq"
    out.max_mhz = _khz_to_mhz(root.read(freq, "cpuinfo_max_freq"))
    out.base_mhz = _khz_to_mhz(root.read(freq, "base_frequency"))
    if out.base_mhz is None and out.brand:
        m = re.search(r"@\s*([\d.]+)\s*GHz", out.brand)
        if m:
            out.base_mhz = round(float(m.group(1)) * 1000, 1)
    if out.base_mhz is None and first.get("cpu MHz"):
        with contextlib.suppress(ValueError):
            out.base_mhz = round(float(first["cpu MHz"]), 1)
    return out
