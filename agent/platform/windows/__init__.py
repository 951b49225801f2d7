"""Windows implementations (WMI, registry, Win32 API through ctypes, schtasks). Importable
on any OS so that tests exercise them over recorded fixtures; the real calls need Windows."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import psutil

from agent.i18n import N_
from agent.platform import portable
from agent.platform.types import (
    NicKindInfo,
    PersistenceEntry,
    RawIdentity,
    ServiceChange,
    ServiceStatus,
)

if TYPE_CHECKING:
    from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

NAME = "windows"

LIMITS = (
    N_("the program files, command lines and memory of other users' and system processes"),
    N_("which system service owns a network connection"),
    N_("autostart entries of services and scheduled tasks of other accounts"),
    N_("Microsoft Defender's exclusion list"),
)


def is_privileged() -> bool:
    from agent.platform.windows.elevation import is_admin

    return is_admin()


def user_idle_seconds() -> float | None:
    from agent.platform.windows import idle

    return idle.user_idle_seconds()


def owned_by_system(path: str | None) -> bool:
    """Under Windows, Program Files or WindowsApps (where only installers and the Store
    write)."""
    if not path:
        return False
    return portable.windows_system_file(path)


def system_home() -> Path:
    return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "minecheck"


def user_home() -> Path:
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    return Path(base) / "minecheck"


def user_profile() -> Path:
    profile = os.environ.get("USERPROFILE")
    return Path(profile) if profile else Path.home()


def restrict_to_admins(path: Path) -> None:
    """ACL: S-1-5-32-544 Administrators, S-1-5-18 SYSTEM; inherited entries dropped."""
    subprocess.run(
        ["icacls", str(path), "/inheritance:r", "/grant:r", "*S-1-5-32-544:F", "*S-1-5-18:F"],
        check=False,
        capture_output=True,
    )


def fsync_dir(path: Path) -> None:
    return None  # a folder cannot be opened for fsync on Windows


def ui_language() -> str | None:
    """GetUserDefaultUILanguage as a locale name ('zh_CN')."""
    import locale

    try:
        import ctypes

        lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return None
    return locale.windows_locale.get(lcid)


def lower_priority(proc: psutil.Process) -> None:
    proc.nice(psutil.BELOW_NORMAL_PRIORITY_CLASS)  # type: ignore[attr-defined]


def has_procfs(proc_root: str) -> bool:
    return False


def refine_process(pi: Any) -> None:
    return None


def is_kernel_thread(cmdline: list[str], exe: str | None) -> bool:
    return False


def open_process_memory(pid: int, exe: str | None) -> Any:
    from agent.platform.windows.memory import WindowsProcessMemory

    return WindowsProcessMemory(pid, exe)


def dns_cache() -> dict[str, list[str]]:
    from agent.platform.windows.dns import read_dns_cache

    return read_dns_cache()


def hosts_file(root: str) -> str:
    return r"C:\Windows\System32\drivers\etc\hosts"


def suspicious_folders() -> list[str]:
    env = os.environ
    dirs = [
        env.get("TEMP"),
        env.get("APPDATA"),
        env.get("LOCALAPPDATA"),
        env.get("PROGRAMDATA"),
        os.path.join(env.get("PUBLIC", r"C:\Users\Public")),
        os.path.join(env.get("SystemRoot", r"C:\Windows"), "Temp"),
    ]
    return [d for d in dirs if d]


def persistence_entries(
    root: str, sources: Any, on_error: Callable[[str, Exception], None] | None
) -> list[PersistenceEntry]:
    """Run keys, services, scheduled tasks, WMI consumers, Startup folders."""
    from agent.platform.windows import persistence

    return persistence.all_entries(sources or persistence.WindowsSources(), on_error)


def defender_exclusions(sources: Any) -> list[tuple[str, str, str]]:
    from agent.platform.windows import persistence

    return persistence.defender_exclusions(sources or persistence.WindowsSources())


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    return None


def hidden_pids() -> list[int]:
    return []


def cpu_info() -> CPUInfo:
    from agent.platform.windows import hardware

    return hardware.cpu_info()


def os_info(users: list[str]) -> OSInfo:
    from agent.platform.windows import hardware

    return hardware.os_info(users)


def physical_disks() -> list[DiskInfo]:
    from agent.platform.windows import hardware

    return hardware.physical_disks()


def nic_kinds() -> dict[str, NicKindInfo]:
    from agent.platform.windows import hardware

    return hardware.nic_kinds()


def display_adapters() -> list[GPUInfo]:
    from agent.platform.windows import hardware

    return hardware.display_adapters()


def raw_identity(ctx: Any) -> RawIdentity:
    from agent.platform.windows import hardware

    return hardware.raw_identity(ctx)


def caches_identity() -> bool:
    return False


def install_service(
    command: list[str], home: Path | None, unit_dir: Path, runner: Any
) -> ServiceChange:
    from agent.platform.windows import service

    return service.install(command, home, unit_dir, runner)


def uninstall_service(unit_dir: Path, runner: Any) -> ServiceChange:
    from agent.platform.windows import service

    return service.uninstall(unit_dir, runner)


def service_status(unit_dir: Path, runner: Any) -> ServiceStatus:
    from agent.platform.windows import service

    return service.status(unit_dir, runner)


def elevation_prompt() -> bool:
    return True


def relaunch_elevated(program: str, params: str, on_error: Callable[[int], None]) -> int | None:
    from agent.platform.windows import elevation

    return elevation.relaunch_elevated(program, params, on_error)


def unprivileged_limits() -> tuple[str, ...]:
    return LIMITS


def prefers_desktop(program_dir: Path, temp: Path) -> bool:
    """A program opened from a ZIP file's preview runs from %TEMP%: its report would be
    left where nobody finds it and Windows cleans up."""
    return program_dir.is_relative_to(temp)


def can_open_browser() -> bool:
    return True


def open_file(path: Path) -> bool:
    os.startfile(str(path))  # type: ignore[attr-defined]
    return True


def key_prompt() -> str:
    return N_("Press any key to close this window.")


def read_key(stdin: TextIO) -> None:
    import msvcrt  # type: ignore[import-not-found]

    msvcrt.getwch()  # type: ignore[attr-defined]
