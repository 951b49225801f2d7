"""Plain data the OS packages hand to the rest of the agent (no OS code here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PersistenceEntry:
    """One thing that starts a program: a crontab line, unit, Run value, task, consumer."""

    mechanism: str  # cron, systemd, rc_local, shell_rc, run_key, service, task, wmi, startup
    location: str  # file or registry key it was read from
    name: str
    command: str
    registry: bool = False


@dataclass(frozen=True)
class Region:
    """One mapped memory region in the Linux /proc/PID/maps form (Windows regions too)."""

    start: int
    end: int
    perms: str
    path: str

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass
class NicKindInfo:
    """What the OS says about a network card beyond psutil: physical, speed, MAC, USB."""

    physical: bool | None
    speed_mbps: int | None = None
    mac: str | None = None
    usb: bool = False


@dataclass
class RawIdentity:
    """The identity parts one OS exposes (SMBIOS, machine-id / MachineGuid)."""

    system_uuid: str | None = None
    board_serial: str | None = None
    system_serial: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    machine_id: str | None = None
    machine_guid: str | None = None
    denied: tuple[str, ...] = ()  # parts the OS would not let us read (Linux without root)


SERVICE_NAME = "minecheck"


@dataclass
class ServiceStatus:
    """Whether the boot-time service is installed and running."""

    installed: bool
    active: bool | None
    detail: str


@dataclass
class ServiceChange:
    """What ``service install`` / ``service uninstall`` did, for the message to the user."""

    where: str  # the unit file (Linux) or the scheduled task's name (Windows)
    program: str | None = None  # the executable the service runs (install) / removed
    copied_from: str | None = None  # where the executable was copied from (a USB stick)
    started: bool = False  # the service was started now, not only at the next boot
    left_behind: tuple[str, ...] = ()  # files uninstall could not remove (in use)
