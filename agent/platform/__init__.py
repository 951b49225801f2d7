"""Platform-specific facts behind one API (psutil style): callers never branch on the OS.

Linux code lives in ``agent.platform.linux``, Windows code in ``agent.platform.windows``.
"""

from __future__ import annotations

import os
import sys

IS_WINDOWS = sys.platform == "win32"
IS_LINUX = sys.platform.startswith("linux")


def is_privileged() -> bool:
    """True when running as administrator (Windows) or root (POSIX)."""
    if IS_WINDOWS:
        import ctypes

        try:
            return bool(ctypes.windll.shell32.IsUserAnAdmin())
        except (AttributeError, OSError):
            return False
    return hasattr(os, "geteuid") and os.geteuid() == 0


def user_idle_seconds() -> float | None:
    """Seconds since the last keyboard/mouse input where the OS tells it (Windows), else None."""
    if IS_WINDOWS:
        from agent.platform.windows import idle

        return idle.user_idle_seconds()
    return None


_WINDOWS_SYSTEM_DIRS = (
    "c:\\windows\\",
    "c:\\program files\\",
    "c:\\program files (x86)\\",
    "c:\\programdata\\microsoft\\windows defender\\",
)


def owned_by_system(path: str | None) -> bool:
    """True when ``path`` is a file of the OS or of an installed package (never to delete).

    Linux: listed by an installed dpkg package. Windows: under Windows, Program Files or
    WindowsApps (where only installers and the Store write)."""
    if not path:
        return False
    if IS_WINDOWS or (len(path) > 2 and path[1] == ":"):
        low = path.replace("/", "\\").lower()
        return low.startswith(_WINDOWS_SYSTEM_DIRS) or "\\windowsapps\\" in low
    if IS_LINUX:
        from agent.platform.linux.packages import package_owned

        return package_owned(path)
    return False
