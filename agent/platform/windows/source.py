"""Thin, injectable access to WMI and the registry (HKLM) so tests can feed recorded data.

``default_source()`` talks to the live system (imports ``wmi``/``winreg`` only when called);
``FixtureSource`` answers from a recorded JSON document:
``{"wmi": {"Win32_X": [{...}, ...]}, "registry": {"KEY\\PATH": {"Value": ...}}}``.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any, Protocol

FROM_CLASS = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


class WindowsSource(Protocol):
    def query(self, wql: str) -> list[dict[str, Any]]:
        """Rows of a WQL query as dicts of property name -> value."""

    def reg_values(self, key: str) -> dict[str, Any]:
        """Values of an HKLM key (name -> data); empty when the key is absent."""

    def reg_subkeys(self, key: str) -> list[str]:
        """Names of an HKLM key's subkeys; empty when absent or denied."""


class LiveSource:
    """WMI (package ``wmi``, over pywin32 COM) and ``winreg`` on a running Windows."""

    def __init__(self) -> None:
        self._local = threading.local()  # a COM connection belongs to the thread that made it

    def _wmi(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            import pythoncom  # from pywin32; COM must be initialised in every thread using it
            import wmi

            pythoncom.CoInitialize()
            conn = self._local.conn = wmi.WMI()
        return conn

    def query(self, wql: str) -> list[dict[str, Any]]:
        rows = []
        for obj in self._wmi().query(wql):
            rows.append({name: getattr(obj, name, None) for name in obj.properties})
        return rows

    def reg_values(self, key: str) -> dict[str, Any]:
        import winreg

        out: dict[str, Any] = {}
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as handle:
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

    def reg_subkeys(self, key: str) -> list[str]:
        import winreg

        names: list[str] = []
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key) as handle:
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


class FixtureSource:
    """Answers WQL queries and registry reads from a recorded document (tests, demos)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.wmi: dict[str, list[dict[str, Any]]] = data.get("wmi", {})
        self.registry: dict[str, dict[str, Any]] = {
            k.lower(): v for k, v in data.get("registry", {}).items()
        }
        self.queries: list[str] = []

    @classmethod
    def load(cls, path: str | Path) -> FixtureSource:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def query(self, wql: str) -> list[dict[str, Any]]:
        self.queries.append(wql)
        m = FROM_CLASS.search(wql)
        if not m:
            raise ValueError(f"not a WQL query: {wql!r}")
        rows = self.wmi.get(m.group(1))
        if rows is None:  # the real WMI answers 'Invalid class' for an unknown class
            raise LookupError(f"WMI class {m.group(1)} not available")
        return [dict(r) for r in rows]

    def reg_values(self, key: str) -> dict[str, Any]:
        values = dict(self.registry.get(key.lower(), {}))
        # REG_QWORD/REG_BINARY data recorded as {"hex": "..."} -> bytes
        return {k: bytes.fromhex(v["hex"]) if isinstance(v, dict) else v for k, v in values.items()}

    def reg_subkeys(self, key: str) -> list[str]:
        prefix = key.lower().rstrip("\\") + "\\"
        names = {k[len(prefix):].split("\\", 1)[0] for k in self.registry if k.startswith(prefix)}
        return sorted(names)


_default: WindowsSource | None = None


def default_source() -> WindowsSource:
    """The live source (created once); tests replace this function."""
    global _default
    if _default is None:
        _default = LiveSource()
    return _default
