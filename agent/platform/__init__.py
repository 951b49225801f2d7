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
