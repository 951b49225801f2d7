"""Reading the Windows registry (winreg): one place for every collector and scanner.

A key is ``SOFTWARE\\...`` (HKEY_LOCAL_MACHINE) or carries its hive: ``HKLM\\...`` /
``HKCU\\...``. An absent or unreadable key reads as empty.
"""

from __future__ import annotations

from typing import Any


def _open(key: str):
    import winreg

    hive, _, sub = key.partition("\\")
    roots = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}
    if hive not in roots:
        hive, sub = "HKLM", key
    return winreg.OpenKey(roots[hive], sub, 0, winreg.KEY_READ)


def values(key: str) -> dict[str, Any]:
    """name -> data of the values directly under ``key``."""
    import winreg

    out: dict[str, Any] = {}
    try:
        with _open(key) as handle:
            i = 0
            while True:
                try:
                    name, data, _kind = winreg.EnumValue(handle, i)
                except OSError:
                    break
                out[name] = data
                i += 1
    except OSError:
        return {}
    return out


def subkeys(key: str) -> list[str]:
    """Names of the sub-keys of ``key``."""
    import winreg

    names: list[str] = []
    try:
        with _open(key) as handle:
            i = 0
            while True:
                try:
                    names.append(winreg.EnumKey(handle, i))
                except OSError:
                    break
                i += 1
    except OSError:
        return []
    return names
