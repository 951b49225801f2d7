"""Thin, injectable access to WMI and the registry (HKLM) so tests can feed recorded data.

``default_source()`` talks to the live system (imports ``wmi``/``winreg`` only when called);
``FixtureSource`` answers from a recorded JSON document:
``{"wmi": {"Win32_X": [{...}, ...]}, "registry": {"KEY\\PATH": {"Value": ...}}}``.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from pathlib import Path
from typing import Any, Protocol

from agent.collectors.base import CollectorUnavailable
from agent.i18n import N_

FROM_CLASS = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)


class WindowsSource(Protocol):
    def query(self, wql: str) -> list[dict[str, Any]]:
        """Rows of a WQL query as dicts of property name -> value."""

    def reg_values(self, key: str) -> dict[str, Any]:
        """Values of an HKLM key (name -> data); empty when the key is absent."""

    def reg_subkeys(self, key: str) -> list[str]:
        """Names of an HKLM key's subkeys; empty when absent or denied."""


def _connect_wmi() -> Any:
    import pythoncom  # from pywin32; COM must be initialised in the thread using it
    import wmi

    pythoncom.CoInitialize()
    return wmi.WMI()


WMI_TIMEOUT_MSG = N_(
    "Windows WMI did not answer within {seconds} seconds; the WMI service may be damaged "
    "(an administrator can check it with 'winmgmt /verifyrepository')."
)


def wmi_timeout(seconds: float, wql: str) -> CollectorUnavailable:
    """A broken WMI repository can hang for minutes: said once, clearly."""
    return CollectorUnavailable(WMI_TIMEOUT_MSG, detail=wql, seconds=f"{seconds:g}")


class LiveSource:
    """WMI (package ``wmi``, over pywin32 COM) and ``winreg`` on a running Windows.

    WMI queries run on one daemon worker thread that owns the COM connection; a query that
    does not answer within ``timeout`` seconds raises CollectorUnavailable, and every later
    query fails at once instead of hanging the scan again.
    """

    def __init__(self, timeout: float = 15.0, connect: Any = _connect_wmi) -> None:
        self.timeout = timeout
        self._connect = connect
        self._jobs: queue.Queue[Any] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._broken: str | None = None
        self._lock = threading.Lock()

    def _work(self) -> None:
        conn = None
        while True:
            wql, box, done = self._jobs.get()
            try:
                if conn is None:
                    conn = self._connect()
                rows = []
                for obj in conn.query(wql):
                    rows.append({name: getattr(obj, name, None) for name in obj.properties})
                box["rows"] = rows
            except Exception as exc:  # noqa: BLE001 - COM errors are handed to the caller
                box["error"] = exc
            finally:
                done.set()

    def query(self, wql: str) -> list[dict[str, Any]]:
        if self._broken:
            raise wmi_timeout(self.timeout, self._broken)
        with self._lock:
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="wmi", daemon=True)
                self._worker.start()
        box: dict[str, Any] = {}
        done = threading.Event()
        self._jobs.put((wql, box, done))
        if not done.wait(self.timeout):
            self._broken = wql
            raise wmi_timeout(self.timeout, wql)
        if "error" in box:
            raise box["error"]
        return box["rows"]

    def reg_values(self, key: str) -> dict[str, Any]:
        from agent.platform.windows import registry

        return registry.values(key)

    def reg_subkeys(self, key: str) -> list[str]:
        from agent.platform.windows import registry

        return registry.subkeys(key)


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
        names = {k[len(prefix) :].split("\\", 1)[0] for k in self.registry if k.startswith(prefix)}
        return sorted(names)


_default: WindowsSource | None = None


def default_source() -> WindowsSource:
    """The live source (created once); tests replace this function."""
    global _default
    if _default is None:
        _default = LiveSource()
    return _default
