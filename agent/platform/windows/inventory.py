"""Windows hardware and OS facts from the documented WMI classes and the registry.

Every function takes a :class:`~agent.platform.windows.source.WindowsSource`, so the same
code runs against live WMI and against recorded fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from agent.platform.windows.source import WindowsSource

CRYPTOGRAPHY_KEY = r"SOFTWARE\Microsoft\Cryptography"
DISPLAY_CLASS_KEY = r"SYSTEM\CurrentControlSet\Control\Class\{4d36e968-e325-11ce-bfc1-08002be10318}"
CPU_KEY = r"HARDWARE\DESCRIPTION\System\CentralProcessor\0"
PCI_IDS = re.compile(r"VEN_([0-9A-F]{4})&DEV_([0-9A-F]{4})", re.IGNORECASE)
CIM_DATETIME = re.compile(r"^(\d{14})(?:\.(\d{1,6}))?([+-]\d{3})?")
PHYSICAL_PNP = ("PCI\\", "USB\\", "PCMCIA\\", "SD\\")
VIRTUAL_NAMES = re.compile(
    r"virtual|hyper-v|vmware|virtualbox|vpn|tap-|wan miniport|loopback|teredo|isatap|"
    r"kernel debug|bluetooth|tunnel|npcap|wintun|zerotier|tailscale",
    re.IGNORECASE,
)


def first(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return rows[0] if rows else {}


def as_int(value: Any) -> int | None:
    """WMI returns uint64 properties as strings (VT_BSTR) and uint32 as ints."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def parse_cim_datetime(value: Any) -> datetime | None:
    """'20231122083015.500000+480' (offset in minutes) -> aware datetime."""
    m = CIM_DATETIME.match(str(value or ""))
    if not m:
        return None
    try:
        base = datetime.strptime(m.group(1), "%Y%m%d%H%M%S")
    except ValueError:
        return None
    micro = int((m.group(2) or "0").ljust(6, "0"))
    offset = int(m.group(3)) if m.group(3) else 0
    tz = timezone(timedelta(minutes=offset))
    return base.replace(microsecond=micro, tzinfo=tz).astimezone(timezone.utc)


def os_architecture(value: Any) -> str | None:
    """OSArchitecture is localised ('64 位', '64-bit', 'ARM 64-bit Processor') -> '64-bit'."""
    text = as_text(value)
    if not text:
        return None
    bits = re.search(r"(32|64)", text)
    if "arm" in text.lower():
        return f"ARM{bits.group(1) if bits else ''}"
    return f"{bits.group(1)}-bit" if bits else text


# --- OS ---------------------------------------------------------------------------------


@dataclass
class WindowsOS:
    name: str
    version: str | None
    build: str | None
    architecture: str | None
    hostname: str | None
    domain: str | None
    boot_time: datetime | None
    is_server: bool
    user: str | None  # console user from Win32_ComputerSystem.UserName


def read_os(src: WindowsSource) -> WindowsOS:
    os_row = first(
        src.query(
            "SELECT Caption, Version, BuildNumber, OSArchitecture, LastBootUpTime, ProductType, "
            "CSName FROM Win32_OperatingSystem"
        )
    )
    cs = first(
        src.query("SELECT Domain, PartOfDomain, Workgroup, UserName FROM Win32_ComputerSystem")
    )
    caption = as_text(os_row.get("Caption")) or "Windows"
    # ProductType: 1 workstation, 2 domain controller, 3 server
    is_server = as_int(os_row.get("ProductType")) in (2, 3) or "server" in caption.lower()
    if cs.get("PartOfDomain"):
        domain = as_text(cs.get("Domain"))
    else:
        domain = as_text(cs.get("Workgroup")) or as_text(cs.get("Domain"))
    return WindowsOS(
        name=caption,
        version=as_text(os_row.get("Version")),
        build=as_text(os_row.get("BuildNumber")),
        architecture=os_architecture(os_row.get("OSArchitecture")),
        hostname=as_text(os_row.get("CSName")),
        domain=domain,
        boot_time=parse_cim_datetime(os_row.get("LastBootUpTime")),
        is_server=is_server,
        user=as_text(cs.get("UserName")),
    )


# --- identity ---------------------------------------------------------------------------


@dataclass
class WindowsIdentity:
    system_uuid: str | None
    board_serial: str | None
    system_serial: str | None
    bios_serial: str | None
    manufacturer: str | None
    product: str | None
    machine_guid: str | None


def read_identity(src: WindowsSource) -> WindowsIdentity:
    product = first(
        src.query("SELECT UUID, IdentifyingNumber, Vendor, Name FROM Win32_ComputerSystemProduct")
    )
    board = first(src.query("SELECT SerialNumber, Manufacturer, Product FROM Win32_BaseBoard"))
    bios = first(src.query("SELECT SerialNumber FROM Win32_BIOS"))
    guid = src.reg_values(CRYPTOGRAPHY_KEY).get("MachineGuid")
    return WindowsIdentity(
        system_uuid=as_text(product.get("UUID")),
        board_serial=as_text(board.get("SerialNumber")),
        system_serial=as_text(product.get("IdentifyingNumber")),
        bios_serial=as_text(bios.get("SerialNumber")),
        manufacturer=as_text(product.get("Vendor")),
        product=as_text(product.get("Name")),
        machine_guid=as_text(guid),
    )


# --- CPU --------------------------------------------------------------------------------


@dataclass
class WindowsCpu:
    brand: str | None
    vendor: str | None
    physical_cores: int | None
    logical_cores: int | None
    max_mhz: float | None


def read_cpu(src: WindowsSource) -> WindowsCpu:
    rows = src.query(
        "SELECT Name, Manufacturer, NumberOfCores, NumberOfLogicalProcessors, MaxClockSpeed "
        "FROM Win32_Processor"
    )
    reg = src.reg_values(CPU_KEY)
    row = first(rows)
    cores = [as_int(r.get("NumberOfCores")) for r in rows]
    logical = [as_int(r.get("NumberOfLogicalProcessors")) for r in rows]
    mhz = as_int(row.get("MaxClockSpeed")) or as_int(reg.get("~MHz"))
    return WindowsCpu(
        brand=as_text(row.get("Name")) or as_text(reg.get("ProcessorNameString")),
        vendor=as_text(row.get("Manufacturer")) or as_text(reg.get("VendorIdentifier")),
        physical_cores=sum(c for c in cores if c) or None,  # one row per socket
        logical_cores=sum(c for c in logical if c) or None,
        max_mhz=float(mhz) if mhz else None,
    )


# --- GPUs -------------------------------------------------------------------------------


@dataclass
class VideoController:
    name: str
    vendor_id: str | None
    device_id: str | None
    pnp_device_id: str | None
    driver_version: str | None
    memory_bytes: int | None
    memory_source: str | None  # 'registry' (exact) or 'wmi' (AdapterRAM, capped at 4 GB)


def pci_ids(pnp: str | None) -> tuple[str | None, str | None]:
    m = PCI_IDS.search(pnp or "")
    return (m.group(1).lower(), m.group(2).lower()) if m else (None, None)


def _registry_memory(value: Any) -> int | None:
    """HardwareInformation.qwMemorySize is REG_QWORD (int); MemorySize may be REG_BINARY."""
    if isinstance(value, int):
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return int.from_bytes(bytes(value[:8]), "little")
    return None


def display_memory_by_ids(src: WindowsSource) -> dict[tuple[str, str], int]:
    """(vendor, device) -> VRAM bytes from the display class keys (no 4 GB cap)."""
    out: dict[tuple[str, str], int] = {}
    for sub in src.reg_subkeys(DISPLAY_CLASS_KEY):
        if not sub.isdigit():
            continue  # 'Properties' and the like
        values = src.reg_values(f"{DISPLAY_CLASS_KEY}\\{sub}")
        ven, dev = pci_ids(as_text(values.get("MatchingDeviceId")))
        size = _registry_memory(values.get("HardwareInformation.qwMemorySize"))
        if size is None:
            size = _registry_memory(values.get("HardwareInformation.MemorySize"))
        if ven and dev and size:
            out[(ven, dev)] = max(size, out.get((ven, dev), 0))
    return out


def read_video_controllers(src: WindowsSource) -> list[VideoController]:
    rows = src.query(
        "SELECT Name, AdapterRAM, PNPDeviceID, DriverVersion FROM Win32_VideoController"
    )
    exact = display_memory_by_ids(src)
    out: list[VideoController] = []
    for row in rows:
        pnp = as_text(row.get("PNPDeviceID"))
        ven, dev = pci_ids(pnp)
        size = exact.get((ven, dev)) if ven and dev else None
        source = "registry" if size else None
        if size is None:
            size = as_int(row.get("AdapterRAM"))  # uint32: wraps/caps at 4 GB
            source = "wmi" if size else None
        out.append(
            VideoController(
                name=as_text(row.get("Name")) or "unknown",
                vendor_id=ven,
                device_id=dev,
                pnp_device_id=pnp,
                driver_version=as_text(row.get("DriverVersion")),
                memory_bytes=size or None,
                memory_source=source,
            )
        )
    return out


# --- disks ------------------------------------------------------------------------------


@dataclass
class DiskDrive:
    device: str
    model: str | None
    serial: str | None
    size_bytes: int | None
    rotational: bool | None
    interface: str | None


def read_disk_drives(src: WindowsSource) -> list[DiskDrive]:
    rows = src.query(
        "SELECT DeviceID, Model, SerialNumber, Size, MediaType, InterfaceType FROM Win32_DiskDrive"
    )
    return [
        DiskDrive(
            device=as_text(r.get("DeviceID")) or "?",
            model=as_text(r.get("Model")),
            serial=as_text(r.get("SerialNumber")),
            size_bytes=as_int(r.get("Size")),
            rotational=None,  # Win32_DiskDrive does not say; MSFT_PhysicalDisk.MediaType does
            interface=as_text(r.get("InterfaceType")),
        )
        for r in rows
    ]


# --- network adapters -------------------------------------------------------------------


@dataclass
class WindowsNic:
    name: str  # NetConnectionID, the name psutil reports ('Ethernet', 'WLAN')
    description: str | None
    mac: str | None
    physical: bool
    speed_mbps: int | None
    enabled: bool | None
    usb: bool = False  # a plug-in adapter: its MAC moves with it


def read_network_adapters(src: WindowsSource) -> list[WindowsNic]:
    rows = src.query(
        "SELECT Name, NetConnectionID, MACAddress, PhysicalAdapter, PNPDeviceID, Speed, "
        "NetEnabled FROM Win32_NetworkAdapter"
    )
    out: list[WindowsNic] = []
    for r in rows:
        conn = as_text(r.get("NetConnectionID"))
        if not conn:
            continue  # miniports and hidden adapters have no connection name
        desc = as_text(r.get("Name"))
        pnp = (as_text(r.get("PNPDeviceID")) or "").upper()
        physical = (
            bool(r.get("PhysicalAdapter"))
            and pnp.startswith(PHYSICAL_PNP)
            and not VIRTUAL_NAMES.search(desc or "")
        )
        speed = as_int(r.get("Speed"))  # bits per second; 2**63-1 when unknown
        speed_mbps = speed // 1_000_000 if speed and speed < 2**62 else None
        out.append(
            WindowsNic(
                name=conn,
                description=desc,
                mac=as_text(r.get("MACAddress")),
                physical=physical,
                speed_mbps=speed_mbps,
                enabled=r.get("NetEnabled"),
                usb=pnp.startswith("USB\\"),
            )
        )
    return out
