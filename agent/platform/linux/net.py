"""Network interface kind (physical or virtual), link speed and permanent MAC from sysfs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.platform.linux.sysfs import Root

NET = "sys/class/net"
VIRTUAL_NAMES = re.compile(
    r"^(lo|docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|wg|zt|ifb|dummy|bond|team|vxlan|"
    r"flannel|cni|cali|kube|tailscale|ppp|sit|ip6tnl|gre|macvlan|macvtap|lxc|lxd)"
)


@dataclass
class NicKind:
    name: str
    physical: bool
    speed_mbps: int | None
    mac: str | None  # hardware address as the kernel shows it
    usb: bool = False  # a plug-in adapter: its MAC moves with it


def nic_kind(root: Root, name: str) -> NicKind:
    base = f"{NET}/{name}"
    target = root.resolve(base) or ""
    has_device = root.exists(base, "device")
    physical = has_device and "/virtual/" not in target and not VIRTUAL_NAMES.match(name)
    # a bridge or bond has no device link; a wireless card has 'phy80211' and a device link
    speed = root.read(base, "speed")
    try:
        speed_mbps = int(speed) if speed is not None else None
    except ValueError:
        speed_mbps = None
    if speed_mbps is not None and speed_mbps <= 0:
        speed_mbps = None
    mac = root.read(base, "address")
    usb = "/usb" in target
    return NicKind(name=name, physical=physical, speed_mbps=speed_mbps, mac=mac, usb=usb)


def list_nic_kinds(root: Root | None = None) -> dict[str, NicKind]:
    root = root or Root()
    return {name: nic_kind(root, name) for name in root.listdir(NET)}
