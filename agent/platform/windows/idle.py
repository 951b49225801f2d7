"""User idle time from ``GetLastInputInfo`` (user32) and ``GetTickCount64`` (kernel32)."""

from __future__ import annotations

import ctypes


class LASTINPUTINFO(ctypes.Structure):
    _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32)]


def idle_from_ticks(now_ms: int, last_input_ms: int) -> float:
    """Idle seconds; GetTickCount wraps every 49.7 days (32-bit dwTime), so compare mod 2**32."""
    return ((now_ms & 0xFFFFFFFF) - last_input_ms) % 2**32 / 1000.0


def user_idle_seconds() -> float | None:
    try:
        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    except AttributeError:
        return None
    info = LASTINPUTINFO()
    info.cbSize = ctypes.sizeof(LASTINPUTINFO)
    if not user32.GetLastInputInfo(ctypes.byref(info)):
        return None
    kernel32.GetTickCount64.restype = ctypes.c_uint64
    return idle_from_ticks(int(kernel32.GetTickCount64()), int(info.dwTime))
