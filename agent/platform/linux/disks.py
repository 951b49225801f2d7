"""Whole block devices from /sys/block: model, serial (sysfs or udev data), size, rotational."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.platform.linux.sysfs import Root

SKIP = re.compile(r"^(loop|ram|zram|dm-|md|sr|fd|nbd)\d*")


@dataclass
class BlockDevice:
    name: str  # 'sda', 'nvme0n1'
    model: str | None
    serial: str | None
    size_bytes: int | None
    rotational: bool | None
    removable: bool | None


def udev_serial(root: Root, name: str) -> str | None:
    """ID_SERIAL_SHORT from /run/udev/data/b<major>:<minor> (readable without root)."""
    dev = root.read("sys/block", name, "dev")
    if not dev:
        return None
    text = root.read("run/udev/data", f"b{dev}") or ""
    found: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("E:") and "=" in line:
            key, _, value = line[2:].partition("=")
            found[key] = value
    return found.get("ID_SERIAL_SHORT") or found.get("ID_SCSI_SERIAL") or None


def list_block_devices(root: Root | None = None) -> list[BlockDevice]:
    root = root or Root()
    out: list[BlockDevice] = []
    for name in root.listdir("sys/block"):
        if SKIP.match(name):
            continue
        base = f"sys/block/{name}"
        sectors = root.read(base, "size")  # always in 512-byte units
        rot = root.read(base, "queue/rotational")
        rem = root.read(base, "removable")
        serial = root.read(base, "device/serial") or udev_serial(root, name)
        if serial is None:
            wwid = root.read(base, "device/wwid")
            serial = wwid if wwid and not wwid.startswith("t10.") else None
        out.append(
            BlockDevice(
                name=name,
                model=root.read(base, "device/model"),
                serial=serial,
                size_bytes=int(sectors) * 512 if sectors and sectors.isdigit() else None,
                rotational=None if rot is None else rot == "1",
                removable=None if rem is None else rem == "1",
            )
        )
    return out
