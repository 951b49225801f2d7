"""Network interface collector: name, MAC, addresses, up, speed, physical or virtual."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field

import psutil

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.collectors.fingerprint import normalize_mac
from agent.platform.types import NicKindInfo
from agent.wire.report import NICInfo

AF_LINK = getattr(psutil, "AF_LINK", -1)


@dataclass
class PsutilNic:
    name: str
    mac: str | None = None
    ipv4: list[str] = field(default_factory=list)
    ipv6: list[str] = field(default_factory=list)
    up: bool = False
    speed_mbps: int | None = None


def psutil_nics() -> dict[str, PsutilNic]:
    out: dict[str, PsutilNic] = {}
    for name, addrs in psutil.net_if_addrs().items():
        nic = out.setdefault(name, PsutilNic(name=name))
        for a in addrs:
            if a.family == AF_LINK:
                nic.mac = normalize_mac(a.address) or nic.mac
            elif a.family == socket.AF_INET:
                nic.ipv4.append(a.address)
            elif a.family == socket.AF_INET6:
                nic.ipv6.append(a.address.split("%", 1)[0])
    for name, st in psutil.net_if_stats().items():
        nic = out.setdefault(name, PsutilNic(name=name))
        nic.up = bool(st.isup)
        nic.speed_mbps = st.speed or None
    return out


def nic_kinds() -> dict[str, NicKindInfo]:
    """Physical/virtual, speed, MAC and USB per card, as the OS tells (sysfs / WMI)."""
    return plat.nic_kinds()


def collect_nics(ctx: ScanContext) -> list[NICInfo]:
    seen = psutil_nics()
    kinds = nic_kinds()
    out: list[NICInfo] = []
    for name in sorted(set(seen) | set(kinds)):
        ps = seen.get(name, PsutilNic(name=name))
        kind = kinds.get(name)
        mac = ps.mac or (kind.mac if kind else None)
        if mac == "00:00:00:00:00:00":
            mac = None
        out.append(
            NICInfo(
                name=name,
                mac=mac,
                ipv4=ps.ipv4,
                ipv6=ps.ipv6,
                up=ps.up,
                speed_mbps=ps.speed_mbps or (kind.speed_mbps if kind else None),
                physical=kind.physical if kind else None,
            )
        )
    return out
