"""Disk collector: physical disks (model, serial, size) and mounted file systems' usage."""

from __future__ import annotations

import psutil

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.collectors.fingerprint import clean_serial
from agent.wire.report import DiskInfo

GB = 1e9  # disk sizes as vendors and Windows Explorer's 'GB' label them
SKIP_FSTYPES = {"squashfs", "overlay", "tmpfs", "devtmpfs", "iso9660", "udf", "nsfs", "ramfs"}


def physical_disks() -> list[DiskInfo]:
    if plat.IS_WINDOWS:
        from agent.platform.windows.inventory import read_disk_drives
        from agent.platform.windows.source import default_source

        return [
            DiskInfo(
                device=d.device,
                model=d.model,
                serial=clean_serial(d.serial),
                size_gb=round(d.size_bytes / GB, 1) if d.size_bytes else None,
                rotational=d.rotational,
            )
            for d in read_disk_drives(default_source())
        ]
    if plat.IS_LINUX:
        from agent.platform.linux.disks import list_block_devices

        return [
            DiskInfo(
                device=f"/dev/{b.name}",
                model=b.model,
                serial=clean_serial(b.serial),
                size_gb=round(b.size_bytes / GB, 1) if b.size_bytes is not None else None,
                rotational=b.rotational,
            )
            for b in list_block_devices()
        ]
    return []


def mounted_volumes() -> list[DiskInfo]:
    out: list[DiskInfo] = []
    seen: set[str] = set()
    for part in psutil.disk_partitions(all=False):
        if part.fstype.lower() in SKIP_FSTYPES or part.mountpoint in seen:
            continue
        if "cdrom" in part.opts:
            continue
        seen.add(part.mountpoint)
        try:
            usage = psutil.disk_usage(part.mountpoint)
        except OSError:  # not ready (card reader), permission
            usage = None
        out.append(
            DiskInfo(
                device=part.device,
                mountpoint=part.mountpoint,
                fstype=part.fstype or None,
                size_gb=round(usage.total / GB, 1) if usage else None,
                used_percent=round(usage.percent, 1) if usage else None,
            )
        )
    return out


def collect_disks(ctx: ScanContext) -> list[DiskInfo]:
    """Whole disks first, then mounted volumes (one entry each)."""
    return physical_disks() + mounted_volumes()
