"""Everything OS-specific behind one API (psutil's shape): callers never branch on the OS.

The implementation is chosen ONCE, at import, from ``sys.platform`` (deliberately not from
an environment variable: a user who could set one could blind the check). Linux code lives
in :mod:`agent.platform.linux`, Windows code in :mod:`agent.platform.windows`, the portable
answers for any other OS in :mod:`agent.platform.generic`, and :mod:`agent.platform.fake`
is a scripted machine for tests. Tests switch with :func:`use` (``with use("windows"):``
over recorded WMI fixtures) instead of patching OS flags. NVML is the same API on every OS:
:mod:`agent.platform.nvml`.

Every function below forwards to the chosen module; each module defines all of them
(tests/agent/test_platform_api.py checks that).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, TextIO

from agent.platform.types import (
    NicKindInfo,
    PersistenceEntry,
    RawIdentity,
    ServiceChange,
    ServiceStatus,
)

if TYPE_CHECKING:
    import psutil

    from agent.wire.report import CPUInfo, DiskInfo, GPUInfo, OSInfo

SYS_PLATFORM: str = sys.platform  # the report's agent.platform field ('linux', 'win32', ...)
NAMES = ("linux", "windows", "generic", "fake")

# every function an implementation module defines (the names forwarded below)
API = (
    "is_privileged", "user_idle_seconds", "owned_by_system",
    "system_home", "user_home", "user_profile", "restrict_to_admins", "fsync_dir",
    "ui_language", "lower_priority",
    "has_procfs", "refine_process", "is_kernel_thread", "open_process_memory",
    "dns_cache", "hosts_file", "suspicious_folders",
    "persistence_entries", "defender_exclusions", "ld_preload", "hidden_pids",
    "cpu_info", "os_info", "physical_disks", "nic_kinds", "display_adapters",
    "raw_identity", "caches_identity",
    "install_service", "uninstall_service", "service_status",
    "elevation_prompt", "relaunch_elevated", "unprivileged_limits", "prefers_desktop",
    "can_open_browser", "open_file", "key_prompt", "read_key",
)  # fmt: skip

Runner = Callable[[Sequence[str]], Any]  # runs a command, returns a CompletedProcess


def default_name(sys_platform: str = SYS_PLATFORM) -> str:
    """The implementation for an OS: 'windows', 'linux' or 'generic'."""
    if sys_platform == "win32":
        return "windows"
    if sys_platform.startswith("linux"):
        return "linux"
    return "generic"


def _load(name: str) -> ModuleType:
    if name not in NAMES:
        raise ValueError(f"platform {name!r}: not one of {', '.join(NAMES)}")
    return importlib.import_module(f"agent.platform.{name}")


_current: ModuleType = _load(default_name())
NAME: str = _current.NAME


def current() -> ModuleType:
    """The implementation module in use."""
    return _current


@contextlib.contextmanager
def use(name: str) -> Iterator[ModuleType]:
    """Switch the implementation (tests): ``with use("fake") as fake: fake.MACHINE...``."""
    global _current, NAME
    before = _current
    _current = _load(name)
    NAME = _current.NAME
    if hasattr(_current, "reset"):
        _current.reset()
    try:
        yield _current
    finally:
        _current = before
        NAME = before.NAME


# --- rights, idle time, ownership ------------------------------------------------------


def is_privileged() -> bool:
    """True when running as administrator (Windows) or root (POSIX)."""
    return _current.is_privileged()


def user_idle_seconds() -> float | None:
    """Seconds since the last keyboard/mouse input where the OS tells it, else None."""
    return _current.user_idle_seconds()


def owned_by_system(path: str | None) -> bool:
    """True when ``path`` is a file of the OS or of an installed package (never to delete)."""
    return _current.owned_by_system(path)


# --- per-user and system places --------------------------------------------------------


def system_home() -> Path:
    """The system-wide agent folder (%ProgramData%\\minecheck, /etc/minecheck)."""
    return _current.system_home()


def user_home() -> Path:
    """The per-user agent folder (%LOCALAPPDATA%\\minecheck, ~/.local/share/minecheck)."""
    return _current.user_home()


def user_profile() -> Path:
    """The user's profile folder (where Desktop lives)."""
    return _current.user_profile()


def restrict_to_admins(path: Path) -> None:
    """Make ``path`` readable by the administrator account only."""
    _current.restrict_to_admins(path)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries to disk where the OS allows it (a no-op elsewhere)."""
    _current.fsync_dir(path)


def ui_language() -> str | None:
    """The OS user-interface language (a locale name) where the OS tells it, else None."""
    return _current.ui_language()


def lower_priority(proc: psutil.Process) -> None:
    """Below-normal CPU (and idle I/O) priority for ``proc``."""
    _current.lower_priority(proc)


# --- processes, memory, network, persistence (detection) -------------------------------


def has_procfs(proc_root: str) -> bool:
    """True when process times can be read from a /proc tree at ``proc_root``."""
    return _current.has_procfs(proc_root)


def refine_process(pi: Any) -> None:
    """Fill what the OS tells beyond psutil (Linux: the exe link, deleted executables)."""
    _current.refine_process(pi)


def is_kernel_thread(cmdline: list[str], exe: str | None) -> bool:
    """True for a kernel thread (no command line, no program file, on Linux)."""
    return _current.is_kernel_thread(cmdline, exe)


def open_process_memory(pid: int, exe: str | None) -> Any:
    """A reader with ``regions()`` (Region list), ``read(start, length)`` and ``close()``.

    Raises PermissionError (no rights), ProcessLookupError / FileNotFoundError (gone), or
    NotImplementedError where the OS has no reader here (YARA's own scanner then)."""
    return _current.open_process_memory(pid, exe)


def dns_cache() -> dict[str, list[str]]:
    """The OS DNS client cache, name -> addresses (Windows), else empty."""
    return _current.dns_cache()


def hosts_file(root: str) -> str:
    """The hosts file (``root`` prefixes it on Linux)."""
    return _current.hosts_file(root)


def suspicious_folders() -> list[str]:
    """Temp and hidden places where malware keeps its programs."""
    return _current.suspicious_folders()


def persistence_entries(
    root: str, sources: Any, on_error: Callable[[str, Exception], None] | None
) -> list[PersistenceEntry]:
    """Everything that starts a program (cron/systemd/rc under ``root``; Run keys, services,
    tasks, WMI, Startup from ``sources`` or the real Windows readers)."""
    return _current.persistence_entries(root, sources, on_error)


def defender_exclusions(sources: Any) -> list[tuple[str, str, str]]:
    """Microsoft Defender exclusions (kind, value, key); empty where there is none."""
    return _current.defender_exclusions(sources)


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    """(file, libraries) of /etc/ld.so.preload when it lists any (Linux), else None."""
    return _current.ld_preload(root)


def hidden_pids() -> list[int]:
    """PIDs that answer but are missing from the process list (Linux cross-view)."""
    return _current.hidden_pids()


# --- inventory -------------------------------------------------------------------------


def cpu_info() -> CPUInfo:
    return _current.cpu_info()


def os_info(users: list[str]) -> OSInfo:
    """The OS facts; ``users`` are the logged-in users psutil saw."""
    return _current.os_info(users)


def physical_disks() -> list[DiskInfo]:
    return _current.physical_disks()


def nic_kinds() -> dict[str, NicKindInfo]:
    return _current.nic_kinds()


def display_adapters() -> list[GPUInfo]:
    """Display adapters the OS lists (all vendors; sysfs / WMI)."""
    return _current.display_adapters()


def raw_identity(ctx: Any) -> RawIdentity:
    """SMBIOS parts and machine-id / MachineGuid; ``ctx.add_limitation`` hears what is missing."""
    return _current.raw_identity(ctx)


def caches_identity() -> bool:
    """True where a privileged run saves identity parts for unprivileged runs (Linux)."""
    return _current.caches_identity()


# --- boot-time service -----------------------------------------------------------------


def install_service(
    command: list[str], home: Path | None, unit_dir: Path, runner: Runner
) -> ServiceChange:
    """Install and start the boot-time service (systemd unit / scheduled task); where."""
    return _current.install_service(command, home, unit_dir, runner)


def uninstall_service(unit_dir: Path, runner: Runner) -> ServiceChange:
    return _current.uninstall_service(unit_dir, runner)


def service_status(unit_dir: Path, runner: Runner) -> ServiceStatus:
    return _current.service_status(unit_dir, runner)


# --- the double-click self-check -------------------------------------------------------


def elevation_prompt() -> bool:
    """True where the program can ask for administrator rights itself (Windows UAC)."""
    return _current.elevation_prompt()


def relaunch_elevated(program: str, params: str, on_error: Callable[[int], None]) -> int | None:
    """Run ``program params`` again with administrator rights and wait: its exit status, or
    None when declined or impossible (``on_error`` hears an OS error code)."""
    return _current.relaunch_elevated(program, params, on_error)


def unprivileged_limits() -> tuple[str, ...]:
    """What a check without administrator/root rights cannot see (message ids)."""
    return _current.unprivileged_limits()


def prefers_desktop(program_dir: Path, temp: Path) -> bool:
    """True when a program running from ``program_dir`` should save on the desktop first
    (Windows runs a program opened from a ZIP preview from %TEMP%)."""
    return _current.prefers_desktop(program_dir, temp)


def can_open_browser() -> bool:
    """True when a web browser can be opened for the user here."""
    return _current.can_open_browser()


def open_file(path: Path) -> bool:
    """Open ``path`` in the default browser/application."""
    return _current.open_file(path)


def key_prompt() -> str:
    """The message id asking for a key before the window closes."""
    return _current.key_prompt()


def read_key(stdin: TextIO) -> None:
    """Wait for that key."""
    _current.read_key(stdin)


__all__ = [*API, "NAME", "SYS_PLATFORM", "current", "use", "NicKindInfo", "RawIdentity"]
