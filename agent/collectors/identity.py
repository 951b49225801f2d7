"""Identity collector: SMBIOS parts, physical MACs, machine-id / MachineGuid, fingerprint."""

from __future__ import annotations

import socket
import uuid

import agent.platform as plat
from agent.collectors import identity_cache
from agent.collectors.base import ScanContext
from agent.collectors.fingerprint import (
    clean_serial,
    fingerprint,
    has_hardware_identity,
    identity_parts,
    is_identity_mac,
    normalize_mac,
)
from agent.collectors.nics import nic_kinds
from agent.i18n import N_
from agent.platform.types import RawIdentity as RawIdentity
from agent.report.sanitize import printable
from agent.wire.report import DeviceIdentity, NICInfo

AGENT_ID_FILE = "device-id"


DENIED_MSG = N_(
    "Hardware serial numbers need root rights to read ({files}); "
    "run as root for a stable device identity."
)


def agent_device_id() -> str | None:
    """A random id kept in the agent home: the last resort when nothing else identifies."""
    from agent import paths

    path = paths.home_dir() / AGENT_ID_FILE
    try:
        value = path.read_text(encoding="ascii").strip()
        if value:
            return value
    except OSError:
        pass
    value = uuid.uuid4().hex
    try:
        paths.ensure_dir(path.parent)
        path.write_text(value + "\n", encoding="ascii")
    except OSError:
        return None
    return value


def identity_macs(nics: list[NICInfo]) -> list[str | None]:
    """MACs of built-in physical NICs; plug-in (USB) ones only when there is nothing else."""
    physical = [n for n in nics if n.physical]
    try:
        usb = {name for name, kind in nic_kinds().items() if kind.usb}
    except Exception:  # noqa: BLE001 - WMI may fail; then every physical NIC counts
        usb = set()
    fixed = [n.mac for n in physical if n.name not in usb and is_identity_mac(normalize_mac(n.mac))]
    return fixed or [n.mac for n in physical]


def collect_identity(ctx: ScanContext, nics: list[NICInfo]) -> DeviceIdentity:
    raw = plat.raw_identity(ctx)
    macs = identity_macs(nics)
    parts = identity_parts(raw.system_uuid, raw.board_serial, raw.system_serial, macs)
    if raw.denied:
        if not identity_cache.fill(parts):
            ctx.add_limitation(DENIED_MSG, files=", ".join(raw.denied))
    elif plat.caches_identity() and ctx.privileged:
        identity_cache.save(parts)
    fallback = raw.machine_guid or raw.machine_id
    if not has_hardware_identity(parts):
        ctx.add_limitation(
            N_(
                "No hardware identity (serial numbers, UUID, physical network "
                "card) could be read; the device id may change on re-install."
            )
        )
        fallback = fallback or agent_device_id() or uuid.uuid4().hex
    return DeviceIdentity(
        fingerprint=fingerprint(parts, fallback),
        parts=parts,
        machine_id=raw.machine_id,
        machine_guid=raw.machine_guid,
        hostname=printable(socket.gethostname()),
        manufacturer=clean_serial(raw.manufacturer),
        product=clean_serial(raw.product),
    )
