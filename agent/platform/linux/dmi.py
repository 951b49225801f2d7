"""SMBIOS/DMI facts from /sys/class/dmi/id (serials and the UUID are root-only files)."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.platform.linux.sysfs import Root

DMI = "sys/class/dmi/id"
FIELDS = (
    "product_uuid",
    "board_serial",
    "product_serial",
    "sys_vendor",
    "product_name",
    "board_vendor",
    "board_name",
    "chassis_type",
)


@dataclass
class DmiFacts:
    values: dict[str, str] = field(default_factory=dict)
    denied: list[str] = field(default_factory=list)  # root-only files we could not read
    present: bool = False  # the DMI folder exists (absent in many containers and on ARM)


def read_dmi(root: Root | None = None) -> DmiFacts:
    root = root or Root()
    facts = DmiFacts(present=root.exists(DMI))
    if not facts.present:
        return facts
    for name in FIELDS:
        try:
            value = root.read_strict(DMI, name)
        except PermissionError:
            facts.denied.append(name)
            continue
        if value is not None:
            facts.values[name] = value
    return facts
