"""Display adapters from /sys/class/drm/card*/device (PCI vendor/device ids, amdgpu VRAM)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.platform.linux.sysfs import Root

DRM = "sys/class/drm"
CARD = re.compile(r"^card\d+$")  # card0, not card0-HDMI-A-1 (connectors)


@dataclass
class DrmAdapter:
    card: str
    vendor_id: str  # '10de'
    device_id: str  # '2204'
    pci_bus_id: str | None  # '0000:01:00.0'
    driver: str | None
    vram_bytes: int | None
    boot_vga: bool | None
    busy_percent: float | None = None  # amdgpu gpu_busy_percent
    vram_used_bytes: int | None = None  # amdgpu mem_info_vram_used


def _hex_id(value: str | None) -> str | None:
    if not value:
        return None
    return value.lower().removeprefix("0x").zfill(4)


def list_drm_adapters(root: Root | None = None) -> list[DrmAdapter]:
    root = root or Root()
    adapters: list[DrmAdapter] = []
    seen: set[str] = set()
    for card in root.listdir(DRM):
        if not CARD.match(card):
            continue
        dev = f"{DRM}/{card}/device"
        vendor = _hex_id(root.read(dev, "vendor"))
        device = _hex_id(root.read(dev, "device"))
        if not vendor or not device:
            continue  # not a PCI device (e.g. a virtual display)
        target = root.resolve(dev)
        bus = target.rsplit("/", 1)[-1] if target else None
        if bus and not re.match(r"^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.\d$", bus):
            bus = None
        key = bus or card
        if key in seen:
            continue
        seen.add(key)
        driver_link = root.resolve(dev, "driver")
        vram = root.read(dev, "mem_info_vram_total")
        boot_vga = root.read(dev, "boot_vga")
        busy = root.read(dev, "gpu_busy_percent")
        used = root.read(dev, "mem_info_vram_used")
        adapters.append(
            DrmAdapter(
                card=card,
                vendor_id=vendor,
                device_id=device,
                pci_bus_id=bus,
                driver=driver_link.rsplit("/", 1)[-1] if driver_link else None,
                vram_bytes=int(vram) if vram and vram.isdigit() else None,
                boot_vga=None if boot_vga is None else boot_vga == "1",
                busy_percent=float(busy) if busy and busy.isdigit() else None,
                vram_used_bytes=int(used) if used and used.isdigit() else None,
            )
        )
    return adapters
