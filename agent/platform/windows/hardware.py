"""Windows inventory answers as report models (WMI through agent.platform.windows.source)."""

from __future__ import annotations

import platform
import socket
from typing import Any

from agent.platform import generic, portable
from agent.platform.types import NicKindInfo, RawIdentity
from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

GB = 1e9  # disk sizes as vendors and Windows Explorer's 'GB' label them


def _source() -> Any:
    from agent.platform.windows.source import default_source

    return default_source()


def cpu_info() -> CPUInfo:
    """py-cpuinfo, then WMI's Win32_Processor where it says more."""
    from agent.platform.windows.inventory import read_cpu

    cpu = generic.cpu_info()
    w = read_cpu(_source())
    cpu.brand = w.brand or cpu.brand
    cpu.vendor = portable.vendor_name(w.vendor) or cpu.vendor
    cpu.physical_cores = cpu.physical_cores or w.physical_cores
    cpu.logical_cores = cpu.logical_cores or w.logical_cores
    cpu.max_mhz = w.max_mhz or cpu.max_mhz
    return cpu


def os_info(users: list[str]) -> OSInfo:
    from agent.platform.windows import inventory as win

    w = win.read_os(_source())
    if w.user:  # DOMAIN\user of the console session
        users = sorted({*users, w.user.split("\\")[-1]})
    return OSInfo(
        name=w.name,
        version=w.version,
        build=w.build,
        architecture=w.architecture or platform.machine() or None,
        hostname=w.hostname or socket.gethostname(),
        domain=w.domain,
        boot_time=portable.boot_time() or w.boot_time,
        users=users,
        is_server=w.is_server,
    )


def physical_disks() -> list[DiskInfo]:
    from agent.collectors.fingerprint import clean_serial
    from agent.platform.windows.inventory import read_disk_drives

    return [
        DiskInfo(
            device=d.device,
            model=d.model,
            serial=clean_serial(d.serial),
            size_gb=round(d.size_bytes / GB, 1) if d.size_bytes else None,
            rotational=d.rotational,
        )
        for d in read_disk_drives(_source())
    ]


def nic_kinds() -> dict[str, NicKindInfo]:
    from agent.collectors.fingerprint import normalize_mac
    from agent.platform.windows.inventory import read_network_adapters

    return {
        n.name: NicKindInfo(n.physical, n.speed_mbps, normalize_mac(n.mac), n.usb)
        for n in read_network_adapters(_source())
    }


def display_adapters() -> list[GPUInfo]:
    from agent.collectors.pci_names import adapter_name, is_discrete, vendor_of
    from agent.platform.windows.inventory import read_video_controllers

    out: list[GPUInfo] = []
    for vc in read_video_controllers(_source()):
        vendor, _ = vendor_of(vc.vendor_id)
        mb = round(vc.memory_bytes / 2**20, 1) if vc.memory_bytes else None
        if not (vc.pnp_device_id or "").upper().startswith("PCI\\"):
            continue  # ROOT\BasicDisplay, SWD\RemoteDisplayEnum: no card of its own
        name = vc.name
        if vc.vendor_id and vc.device_id and name.lower().startswith("microsoft basic"):
            name = adapter_name(vc.vendor_id, vc.device_id)  # a card without its driver
        out.append(GPUInfo(
            vendor=vendor,
            name=name,
            source="wmi",
            pci_id=f"{vc.vendor_id}:{vc.device_id}" if vc.vendor_id else None,
            memory_total_mb=mb,
            driver_version=vc.driver_version,
            discrete=is_discrete(vc.vendor_id, vc.device_id, mb),
        ))  # fmt: skip
    return out


def raw_identity(ctx: Any) -> RawIdentity:
    from agent.platform.windows.inventory import read_identity

    w = read_identity(_source())
    return RawIdentity(
        system_uuid=w.system_uuid,
        board_serial=w.board_serial,
        system_serial=w.system_serial or w.bios_serial,
        manufacturer=w.manufacturer,
        product=w.product,
        machine_guid=w.machine_guid,
    )
