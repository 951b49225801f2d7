"""A scripted machine for tests: ``with agent.platform.use("fake") as fake:`` then set
``fake.MACHINE.<field>``; every API answer comes from MACHINE (``reset()`` restores it).

It runs nothing and touches nothing outside the folders it is given, so a test on any OS
can drive the OS-specific decisions (rights, elevation, service commands, identity)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import psutil

from agent.i18n import N_
from agent.platform.types import (
    NicKindInfo,
    PersistenceEntry,
    RawIdentity,
    ServiceChange,
    ServiceStatus,
)
from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

NAME = "fake"

LIMITS = (N_("the program files, command lines and memory of other users' and system processes"),)


@dataclass
class FakeMachine:
    """What the fake platform answers; tests set the fields they need."""

    privileged: bool = False
    idle_seconds: float | None = None
    home: Path = field(default_factory=lambda: Path(os.environ.get("TMPDIR", "/tmp")) / "mc-fake")
    profile: Path = field(default_factory=Path.home)
    language: str | None = None
    elevation_prompt: bool = False
    relaunch_result: int | None = None  # what the "elevated copy" returns
    relaunched: list[tuple[str, str]] = field(default_factory=list)
    prefers_desktop: bool = False
    browser: bool = False
    opened: list[Path] = field(default_factory=list)
    keys_read: int = 0
    hosts: str = "/nonexistent/hosts"
    dns: dict[str, list[str]] = field(default_factory=dict)
    persistence: list[PersistenceEntry] = field(default_factory=list)
    defender: list[tuple[str, str, str]] = field(default_factory=list)
    preload: tuple[str, list[str]] | None = None
    hidden: list[int] = field(default_factory=list)
    cpu: CPUInfo = field(default_factory=lambda: CPUInfo(brand="Fake CPU", logical_cores=4))
    os: OSInfo = field(default_factory=lambda: OSInfo(name="FakeOS", hostname="fake-pc"))
    disks: list[DiskInfo] = field(default_factory=list)
    nics: dict[str, NicKindInfo] = field(default_factory=dict)
    adapters: list[GPUInfo] = field(default_factory=list)
    identity: RawIdentity = field(default_factory=RawIdentity)
    caches_identity: bool = False
    service_commands: list[list[str]] = field(default_factory=list)
    service_installed: bool = False


MACHINE = FakeMachine()


def reset() -> FakeMachine:
    """Fresh answers (agent.platform.use calls this on every switch)."""
    global MACHINE
    MACHINE = FakeMachine()
    return MACHINE


def is_privileged() -> bool:
    return MACHINE.privileged


def user_idle_seconds() -> float | None:
    return MACHINE.idle_seconds


def owned_by_system(path: str | None) -> bool:
    return False


def system_home() -> Path:
    return MACHINE.home / "system"


def user_home() -> Path:
    return MACHINE.home / "user"


def user_profile() -> Path:
    return MACHINE.profile


def restrict_to_admins(path: Path) -> None:
    os.chmod(path, 0o600)


def fsync_dir(path: Path) -> None:
    return None


def ui_language() -> str | None:
    return MACHINE.language


def lower_priority(proc: psutil.Process) -> None:
    return None


def has_procfs(proc_root: str) -> bool:
    return False


def refine_process(pi: Any) -> None:
    return None


def is_kernel_thread(cmdline: list[str], exe: str | None) -> bool:
    return False


def open_process_memory(pid: int, exe: str | None) -> Any:
    raise PermissionError(pid, "the fake machine lets no memory be read")


def dns_cache() -> dict[str, list[str]]:
    return dict(MACHINE.dns)


def hosts_file(root: str) -> str:
    return MACHINE.hosts


def suspicious_folders() -> list[str]:
    return []


def persistence_entries(
    root: str, sources: Any, on_error: Callable[[str, Exception], None] | None
) -> list[PersistenceEntry]:
    return list(MACHINE.persistence)


def defender_exclusions(sources: Any) -> list[tuple[str, str, str]]:
    return list(MACHINE.defender)


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    return MACHINE.preload


def hidden_pids() -> list[int]:
    return list(MACHINE.hidden)


def cpu_info() -> CPUInfo:
    return MACHINE.cpu.model_copy()


def os_info(users: list[str]) -> OSInfo:
    return MACHINE.os.model_copy(update={"users": users or MACHINE.os.users})


def physical_disks() -> list[DiskInfo]:
    return list(MACHINE.disks)


def nic_kinds() -> dict[str, NicKindInfo]:
    return dict(MACHINE.nics)


def display_adapters() -> list[GPUInfo]:
    return list(MACHINE.adapters)


def raw_identity(ctx: Any) -> RawIdentity:
    return MACHINE.identity


def caches_identity() -> bool:
    return MACHINE.caches_identity


def install_service(
    command: list[str], home: Path | None, unit_dir: Path, runner: Any
) -> ServiceChange:
    MACHINE.service_commands.append(list(command))
    MACHINE.service_installed = True
    return ServiceChange(where="fake-service", program=command[0], started=True)


def uninstall_service(unit_dir: Path, runner: Any) -> ServiceChange:
    MACHINE.service_installed = False
    return ServiceChange(where="fake-service")


def service_status(unit_dir: Path, runner: Any) -> ServiceStatus:
    return ServiceStatus(MACHINE.service_installed, MACHINE.service_installed, "fake")


def elevation_prompt() -> bool:
    return MACHINE.elevation_prompt


def relaunch_elevated(program: str, params: str, on_error: Callable[[int], None]) -> int | None:
    MACHINE.relaunched.append((program, params))
    return MACHINE.relaunch_result


def unprivileged_limits() -> tuple[str, ...]:
    return LIMITS


def prefers_desktop(program_dir: Path, temp: Path) -> bool:
    return MACHINE.prefers_desktop


def can_open_browser() -> bool:
    return MACHINE.browser


def open_file(path: Path) -> bool:
    MACHINE.opened.append(path)
    return True


def key_prompt() -> str:
    return N_("Press Enter to close.")


def read_key(stdin: TextIO) -> None:
    MACHINE.keys_read += 1
    stdin.readline()
