"""Device fingerprint: sha256 over SMBIOS UUID, board/system serial and physical MACs.

Junk values that vendors leave in SMBIOS ("To be filled by O.E.M.", all-zero UUIDs ...) are
dropped so they never make two PCs look alike; the hostname is never part of it.
"""

from __future__ import annotations

import hashlib
import re

from agent.wire.report import IdentityParts

JUNK_VALUES = {
    "",
    "none",
    "null",
    "n/a",
    "na",
    "0",
    "00",
    "000",
    "0000",
    "00000000",
    "1234567890",
    "123456789",
    "12345678",
    "to be filled by o.e.m.",
    "to be filled by oem",
    "o.e.m.",
    "oem",
    "default string",
    "system serial number",
    "system product name",
    "base board serial number",
    "chassis serial number",
    "not applicable",
    "not specified",
    "not available",
    "unknown",
    "invalid",
    "serial",
    "serial number",
    "sn",
    "empty",
    "xxxxxxxxxx",
    "no asset tag",
    "type2 - board serial number",
    "standard",
    "undefined",
    "filled by o.e.m.",
    "0123456789",
    "abcdefghij",
    "none specified",
}
JUNK_UUIDS = {
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",  # common placeholder of cheap boards
    "00020003-0004-0005-0006-000700080009",  # the same, other byte order
    "12345678-1234-5678-90ab-cddeefaabbcc",
}
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
# OUIs of hypervisors' virtual NICs (VMware, VirtualBox, Hyper-V, QEMU/KVM, Xen, Parallels)
VIRTUAL_OUIS = {
    "00:05:69",
    "00:0c:29",
    "00:1c:14",
    "00:50:56",
    "08:00:27",
    "00:15:5d",
    "52:54:00",
    "00:16:3e",
    "00:1c:42",
    "00:03:ff",
}


def clean_serial(value: str | None) -> str | None:
    """A serial or None when it is empty or a known placeholder."""
    if value is None:
        return None
    text = " ".join(str(value).replace("\x00", "").split())
    low = text.lower()
    if low in JUNK_VALUES or low.strip(".-_ ") in JUNK_VALUES:
        return None
    if len(set(low.replace("-", "").replace(" ", ""))) <= 1:  # '0000000', 'FFFFFFFF', '----'
        return None
    return text


def clean_uuid(value: str | None) -> str | None:
    """A lower-case SMBIOS UUID or None for junk (all-zero, all-F, placeholders)."""
    if value is None:
        return None
    text = str(value).strip().strip("{}").lower()
    if not UUID_RE.match(text):
        return None
    if text in JUNK_UUIDS or len(set(text.replace("-", ""))) <= 1:
        return None
    return text


def normalize_mac(value: str | None) -> str | None:
    """'AA-BB-CC-DD-EE-FF' / 'aabb.ccdd.eeff' -> 'aa:bb:cc:dd:ee:ff'; None if not a MAC."""
    if not value:
        return None
    hexdigits = re.sub(r"[^0-9a-fA-F]", "", str(value)).lower()
    if len(hexdigits) != 12:
        return None
    return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2))


def is_identity_mac(mac: str | None) -> bool:
    """A burned-in unicast MAC of real hardware (not zero, broadcast, multicast,
    locally administered/randomised, or a hypervisor's virtual NIC)."""
    if not mac or not MAC_RE.match(mac):
        return False
    first = int(mac[:2], 16)
    if first & 0x01 or first & 0x02:  # multicast bit, locally administered bit
        return False
    if mac in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff"):
        return False
    return mac[:8] not in VIRTUAL_OUIS


def identity_parts(
    system_uuid: str | None,
    board_serial: str | None,
    system_serial: str | None,
    macs: list[str | None],
) -> IdentityParts:
    """Clean every part; MACs normalised, filtered, de-duplicated and sorted."""
    clean_macs = sorted({m for m in (normalize_mac(x) for x in macs) if is_identity_mac(m)})
    return IdentityParts(
        system_uuid=clean_uuid(system_uuid),
        board_serial=clean_serial(board_serial),
        system_serial=clean_serial(system_serial),
        macs=clean_macs,
    )


def has_hardware_identity(parts: IdentityParts) -> bool:
    return bool(parts.system_uuid or parts.board_serial or parts.system_serial or parts.macs)


def fingerprint(parts: IdentityParts, fallback: str | None = None) -> str:
    """sha256 hex over the cleaned parts; ``fallback`` (machine-id/MachineGuid/agent id)
    is used only when no hardware part is known."""
    if has_hardware_identity(parts):
        text = "\n".join(
            [
                "minecheck-fingerprint-v1",
                f"uuid={parts.system_uuid or ''}",
                f"board={parts.board_serial or ''}",
                f"system={parts.system_serial or ''}",
                f"macs={','.join(parts.macs)}",
            ]
        )
    else:
        text = f"minecheck-fingerprint-v1\nfallback={fallback or ''}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
