"""Linux implementations (/proc, /sys, /etc, systemd). The API is agent.platform's; the
POSIX parts shared with other systems come from agent.platform.generic."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.platform import generic, portable
from agent.platform.generic import (
    can_open_browser as _any_browser,
)
from agent.platform.generic import (
    dns_cache,
    elevation_prompt,
    fsync_dir,
    key_prompt,
    lower_priority,
    open_file,
    prefers_desktop,
    read_key,
    relaunch_elevated,
    restrict_to_admins,
    suspicious_folders,
    system_home,
    ui_language,
    unprivileged_limits,
    user_home,
    user_idle_seconds,
    user_profile,
)
from agent.platform.types import (
    NicKindInfo,
    PersistenceEntry,
    RawIdentity,
    ServiceChange,
    ServiceStatus,
)

if TYPE_CHECKING:
    from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

NAME = "linux"

__all__ = [
    "NAME",
    "dns_cache",
    "elevation_prompt",
    "fsync_dir",
    "key_prompt",
    "lower_priority",
    "open_file",
    "prefers_desktop",
    "read_key",
    "relaunch_elevated",
    "restrict_to_admins",
    "suspicious_folders",
    "system_home",
    "ui_language",
    "unprivileged_limits",
    "user_home",
    "user_idle_seconds",
    "user_profile",
]  # fmt: skip  (the re-used generic answers; the rest is defined below)


def is_privileged() -> bool:
    return generic.is_privileged()


def owned_by_system(path: str | None) -> bool:
    """Listed by an installed dpkg package (a Windows-looking path: Windows' rule)."""
    if not path:
        return False
    if portable.looks_like_windows_path(path):
        return portable.windows_system_file(path)
    from agent.platform.linux.packages import package_owned

    return package_owned(path)


def has_procfs(proc_root: str) -> bool:
    return os.path.isdir(proc_root)


def refine_process(pi: Any) -> None:
    from agent.platform.linux.process import refine_process as refine

    refine(pi)


def is_kernel_thread(cmdline: list[str], exe: str | None) -> bool:
    return not cmdline and exe is None


def open_process_memory(pid: int, exe: str | None) -> Any:
    from agent.platform.linux.memory import ProcessMemory

    return ProcessMemory(pid)


def hosts_file(root: str) -> str:
    return os.path.join(root, "etc/hosts")


def persistence_entries(
    root: str, sources: Any, on_error: Callable[[str, Exception], None] | None
) -> list[PersistenceEntry]:
    """cron, systemd units, rc.local and shell start files under ``root``."""
    from agent.platform.linux.persistence import all_entries

    return all_entries(root)


def defender_exclusions(sources: Any) -> list[tuple[str, str, str]]:
    return []


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    from agent.platform.linux.persistence import ld_preload as read

    return read(root)


def hidden_pids() -> list[int]:
    from agent.platform.linux.crossview import hidden_pids as cross_view

    return cross_view()


def cpu_info() -> CPUInfo:
    from agent.platform.linux import hardware

    return hardware.cpu_info()


def os_info(users: list[str]) -> OSInfo:
    from agent.platform.linux import hardware

    return hardware.os_info(users)


def physical_disks() -> list[DiskInfo]:
    from agent.platform.linux import hardware

    return hardware.physical_disks()


def nic_kinds() -> dict[str, NicKindInfo]:
    from agent.platform.linux import hardware

    return hardware.nic_kinds()


def display_adapters() -> list[GPUInfo]:
    from agent.platform.linux import hardware

    return hardware.display_adapters()


def raw_identity(ctx: Any) -> RawIdentity:
    from agent.platform.linux import hardware

    return hardware.raw_identity(ctx)


def caches_identity() -> bool:
    return True


def install_service(
    command: list[str], home: Path | None, unit_dir: Path, runner: Any
) -> ServiceChange:
    from agent.platform.linux import service

    return service.install(command, home, unit_dir, runner)


def uninstall_service(unit_dir: Path, runner: Any) -> ServiceChange:
    from agent.platform.linux import service

    return service.uninstall(unit_dir, runner)


def service_status(unit_dir: Path, runner: Any) -> ServiceStatus:
    from agent.platform.linux import service

    return service.status(unit_dir, runner)


def can_open_browser() -> bool:
    """Not as root under sudo (refused or unsafe), and only with a display (else webbrowser
    starts a text browser inside this terminal)."""
    if os.geteuid() == 0 and os.environ.get("SUDO_UID"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and _any_browser()
