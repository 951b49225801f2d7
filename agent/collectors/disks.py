"""Disk collector: physical disks (model, serial, size) and mounted file systems' usage."""

from __future__ import annotations

import psutil

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.wire.report import DiskInfo

GB = 1e9  # disk sizes as vendors and Windows Explorer's 'GB' label them
SKIP_FSTYPES = {"squashfs", "overlay", "tmpfs", "devtmpfs", "iso9660", "udf", "nsfs", "ramfs"}


def physical_disks() -> list[DiskInfo]:
    """Whole disks as the OS lists them (sysfs / WMI)."""
    return plat.physical_disks()


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
