"""Linux inventory answers as report models (/proc/cpuinfo, os-release, sysfs, DMI)."""

from __future__ import annotations

from typing import Any

from agent.collectors.pci_names import adapter_name, is_discrete, vendor_of
from agent.i18n import N_
from agent.platform import portable
from agent.platform.linux.sysfs import Root
from agent.platform.types import NicKindInfo, RawIdentity
from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

GB = 1e9  # disk sizes as vendors label them


def cpu_info() -> CPUInfo:
    """/proc/cpuinfo directly (py-cpuinfo starts a subprocess and takes over a second)."""
    from agent.platform.linux.cpu import read_cpu

    arch = portable.machine_arch()
    physical, logical = portable.psutil_counts()
    lx = read_cpu()
    return CPUInfo(
        brand=lx.brand,
        vendor=portable.vendor_name(lx.vendor),
        architecture=arch,
        physical_cores=physical or lx.physical_cores,
        logical_cores=logical,
        base_mhz=lx.base_mhz,
        max_mhz=lx.max_mhz or portable.psutil_max_mhz(),
        flags=portable.key_flags(lx.flags, arch),
    )


def os_info(users: list[str]) -> OSInfo:
    from agent.platform.linux.system import read_os

    lx = read_os()
    return OSInfo(
        name=lx.name,
        version=lx.version,
        build=lx.build,
        architecture=lx.architecture,
        hostname=lx.hostname,
        domain=lx.domain,
        boot_time=portable.boot_time(),
        users=users,
        is_server=lx.is_server,
    )


def physical_disks() -> list[DiskInfo]:
    from agent.collectors.fingerprint import clean_serial
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


def nic_kinds() -> dict[str, NicKindInfo]:
    from agent.collectors.fingerprint import normalize_mac
    from agent.platform.linux.net import list_nic_kinds

    return {
        k.name: NicKindInfo(k.physical, k.speed_mbps, normalize_mac(k.mac), k.usb)
        for k in list_nic_kinds().values()
    }


def display_adapters() -> list[GPUInfo]:
    from agent.platform.linux.gpu import list_drm_adapters

    out: list[GPUInfo] = []
    for ad in list_drm_adapters():
        vendor, _ = vendor_of(ad.vendor_id)
        mb = round(ad.vram_bytes / 2**20, 1) if ad.vram_bytes else None
        out.append(GPUInfo(
            vendor=vendor,
            name=adapter_name(ad.vendor_id, ad.device_id),
            source="sysfs",
            pci_bus_id=ad.pci_bus_id,
            pci_id=f"{ad.vendor_id}:{ad.device_id}",
            memory_total_mb=mb,
            utilization_percent=ad.busy_percent,
            memory_used_mb=round(ad.vram_used_bytes / 2**20, 1) if ad.vram_used_bytes else None,
            driver_version=None,
            discrete=is_discrete(ad.vendor_id, ad.device_id, mb),
        ))  # fmt: skip
    return out


def raw_identity(ctx: Any, root: Root | None = None) -> RawIdentity:
    """DMI (SMBIOS) under /sys/class/dmi/id and /etc/machine-id."""
    from agent.platform.linux.dmi import read_dmi
    from agent.platform.linux.system import machine_id

    root = root or Root()
    dmi = read_dmi(root)
    if not dmi.present:
        ctx.add_limitation(
            N_(
                "No SMBIOS/DMI data on this system (virtual machine or container); "
                "the device is identified by its network cards and machine-id."
            )
        )
    v = dmi.values
    return RawIdentity(
        system_uuid=v.get("product_uuid"),
        board_serial=v.get("board_serial"),
        system_serial=v.get("product_serial"),
        manufacturer=v.get("sys_vendor"),
        product=v.get("product_name"),
        machine_id=machine_id(root),
        denied=tuple(dmi.denied),
    )
