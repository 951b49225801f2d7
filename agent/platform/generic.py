"""Any other OS (macOS, BSD): the portable answers (psutil, py-cpuinfo, YARA's own process
scanner). The Linux package reuses the POSIX parts of it."""

from __future__ import annotations

import os
import platform
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import psutil

from agent.i18n import N_, _
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

NAME = "generic"

LIMITS_POSIX = (
    N_("the program files, command lines and memory of other users' and system processes"),
    N_("which process owns another user's network connection"),
    N_("system-wide autostart entries that only root can read"),
)


def is_privileged() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def user_idle_seconds() -> float | None:
    return None


def owned_by_system(path: str | None) -> bool:
    if not path:
        return False
    if portable.looks_like_windows_path(path):
        return portable.windows_system_file(path)
    return False


def system_home() -> Path:
    return Path("/etc/minecheck")


def user_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "minecheck"


def user_profile() -> Path:
    return Path.home()


def restrict_to_admins(path: Path) -> None:
    os.chmod(path, 0o600)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ui_language() -> str | None:
    return None


def lower_priority(proc: psutil.Process) -> None:
    proc.nice(10)
    if hasattr(proc, "ionice"):
        proc.ionice(psutil.IOPRIO_CLASS_IDLE)


def has_procfs(proc_root: str) -> bool:
    return False


def refine_process(pi: Any) -> None:
    return None


def is_kernel_thread(cmdline: list[str], exe: str | None) -> bool:
    return False


def open_process_memory(pid: int, exe: str | None) -> Any:
    raise NotImplementedError("no process memory reader on this OS")


def dns_cache() -> dict[str, list[str]]:
    return {}


def hosts_file(root: str) -> str:
    return os.path.join(root, "etc/hosts")


def suspicious_folders() -> list[str]:
    return ["/tmp", "/var/tmp", "/dev/shm"]


def persistence_entries(
    root: str, sources: Any, on_error: Callable[[str, Exception], None] | None
) -> list[PersistenceEntry]:
    return []


def defender_exclusions(sources: Any) -> list[tuple[str, str, str]]:
    return []


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    return None


def hidden_pids() -> list[int]:
    return []


def cpu_info() -> CPUInfo:
    """py-cpuinfo's answer with psutil's counts."""
    from agent.wire.report import CPUInfo

    arch = portable.machine_arch()
    physical, logical = portable.psutil_counts()
    info = portable.py_cpuinfo()
    flags = set(info.get("flags") or [])
    return CPUInfo(
        brand=info.get("brand_raw"),
        vendor=portable.vendor_name(info.get("vendor_id_raw")),
        architecture=info.get("arch_string_raw") or arch,
        physical_cores=physical,
        logical_cores=logical or info.get("count"),
        base_mhz=portable.hz_to_mhz(info.get("hz_advertised")),
        max_mhz=portable.psutil_max_mhz(),
        flags=portable.key_flags(flags, info.get("arch_string_raw") or arch) if flags else {},
    )


def os_info(users: list[str]) -> OSInfo:
    from agent.wire.report import OSInfo

    return OSInfo(
        name=platform.system() or "unknown",
        version=platform.version() or None,
        build=platform.release() or None,
        architecture=platform.machine() or None,
        hostname=socket.gethostname(),
        boot_time=portable.boot_time(),
        users=users,
    )


def physical_disks() -> list[DiskInfo]:
    return []


def nic_kinds() -> dict[str, NicKindInfo]:
    return {}


def display_adapters() -> list[GPUInfo]:
    return []


def raw_identity(ctx: Any) -> RawIdentity:
    return RawIdentity()


def caches_identity() -> bool:
    return False


def install_service(
    command: list[str], home: Path | None, unit_dir: Path, runner: Any
) -> ServiceChange:
    raise OSError(
        _(
            "minecheck cannot install a boot-time service on this operating system: start "
            "'minecheck run' another way (for example from the system's start-up scripts)."
        )
    )


def uninstall_service(unit_dir: Path, runner: Any) -> ServiceChange:
    raise OSError(_("minecheck has no boot-time service on this operating system."))


def service_status(unit_dir: Path, runner: Any) -> ServiceStatus:
    return ServiceStatus(False, None, "no boot-time service on this OS")


def elevation_prompt() -> bool:
    return False


def relaunch_elevated(program: str, params: str, on_error: Callable[[int], None]) -> int | None:
    return None


def unprivileged_limits() -> tuple[str, ...]:
    return LIMITS_POSIX


def prefers_desktop(program_dir: Path, temp: Path) -> bool:
    return False


def can_open_browser() -> bool:
    return True


def open_file(path: Path) -> bool:
    import webbrowser

    return bool(webbrowser.open(path.resolve().as_uri()))


def key_prompt() -> str:
    return N_("Press Enter to close.")


def read_key(stdin: TextIO) -> None:
    stdin.readline()
