"""Windows persistence: Run keys, services, scheduled tasks, WMI consumers, Startup folders,
Defender exclusions. Each source is a reader function so tests feed recorded fixtures.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.detect.persistence import PersistenceEntry

RUN_KEYS = (
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run",
    r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce",
    r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Run",
    r"HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\Run",
    r"HKCU\SOFTWARE\Microsoft\Windows\CurrentVersion\RunOnce",
)
SERVICES_KEY = r"HKLM\SYSTEM\CurrentControlSet\Services"
DEFENDER_KEYS = {
    "path": r"HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Paths",
    "process": r"HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Processes",
    "extension": r"HKLM\SOFTWARE\Microsoft\Windows Defender\Exclusions\Extensions",
}


@dataclass
class WindowsSources:
    """Readers for each source; the defaults call the real Windows APIs."""

    registry_values: Callable[[str], dict[str, str]] = field(default=lambda key: _reg_values(key))
    registry_subkeys: Callable[[str], list[str]] = field(default=lambda key: _reg_subkeys(key))
    schtasks_csv: Callable[[], str] = field(default=lambda: _schtasks_csv())
    wmi_consumers: Callable[[], list[dict[str, str]]] = field(default=lambda: _wmi_consumers())
    startup_dirs: Callable[[], list[str]] = field(default=lambda: _startup_dirs())


def run_key_entries(src: WindowsSources) -> list[PersistenceEntry]:
    out = []
    for key in RUN_KEYS:
        for name, value in src.registry_values(key).items():
            out.append(PersistenceEntry("run_key", key, name, str(value), registry=True))
    return out


def service_entries(src: WindowsSources) -> list[PersistenceEntry]:
    out = []
    for name in src.registry_subkeys(SERVICES_KEY):
        key = f"{SERVICES_KEY}\\{name}"
        values = src.registry_values(key)
        image = values.get("ImagePath")
        if image:
            out.append(PersistenceEntry("service", key, name, str(image), registry=True))
    return out


def parse_schtasks_csv(text: str) -> list[PersistenceEntry]:
    """`schtasks /query /fo csv /v` (English headers) -> one entry per task action."""
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        name = row.get("TaskName") or ""
        command = row.get("Task To Run") or ""
        if name == "TaskName" or not command or command == "COM handler":
            continue
        out.append(PersistenceEntry("task", name, name, command))
    return list({(e.name, e.command): e for e in out}.values())


def wmi_entries(src: WindowsSources) -> list[PersistenceEntry]:
    out = []
    for c in src.wmi_consumers():
        command = (
            c.get("CommandLineTemplate") or c.get("ExecutablePath") or c.get("ScriptText") or ""
        )
        out.append(PersistenceEntry("wmi", r"root\subscription", c.get("Name", "?"), command))
    return out


def startup_entries(src: WindowsSources) -> list[PersistenceEntry]:
    out = []
    for d in src.startup_dirs():
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            if n.lower() == "desktop.ini":
                continue
            path = os.path.join(d, n)
            command = path
            if n.lower().endswith((".bat", ".cmd", ".ps1", ".vbs")):
                try:
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        command = path + "\n" + fh.read(65536)
                except OSError:
                    pass
            out.append(PersistenceEntry("startup", d, n, command))
    return out


def defender_exclusions(src: WindowsSources) -> list[tuple[str, str, str]]:
    """(kind, value, key) for each Defender exclusion."""
    return [
        (kind, name, key)
        for kind, key in DEFENDER_KEYS.items()
        for name in src.registry_values(key)
    ]


def all_entries(src: WindowsSources) -> list[PersistenceEntry]:
    out: list[PersistenceEntry] = []
    out += run_key_entries(src)
    out += service_entries(src)
    with contextlib.suppress(OSError, csv.Error):
        out += parse_schtasks_csv(src.schtasks_csv())
    out += wmi_entries(src)
    out += startup_entries(src)
    return out


# --- real readers (Windows only) -------------------------------------------------------


def _open_key(key: str):
    import winreg

    hive, _, sub = key.partition("\\")
    root = {"HKLM": winreg.HKEY_LOCAL_MACHINE, "HKCU": winreg.HKEY_CURRENT_USER}[hive]
    return winreg.OpenKey(root, sub, 0, winreg.KEY_READ)


def _reg_values(key: str) -> dict[str, str]:
    import winreg

    try:
        handle = _open_key(key)
    except OSError:
        return {}
    out: dict[str, str] = {}
    with handle:
        i = 0
        while True:
            try:
                name, value, _ = winreg.EnumValue(handle, i)
            except OSError:
                break
            out[name] = str(value)
            i += 1
    return out


def _reg_subkeys(key: str) -> list[str]:
    import winreg

    try:
        handle = _open_key(key)
    except OSError:
        return []
    out = []
    with handle:
        i = 0
        while True:
            try:
                out.append(winreg.EnumKey(handle, i))
            except OSError:
                break
            i += 1
    return out


def _schtasks_csv() -> str:
    proc = subprocess.run(
        ["schtasks", "/query", "/fo", "csv", "/v"],
        capture_output=True,
        timeout=20,
        check=False,
        env={**os.environ, "LANG": "en"},
    )
    return proc.stdout.decode("mbcs", errors="replace")


def _wmi_consumers() -> list[dict[str, str]]:
    import wmi  # type: ignore[import-not-found]

    conn = wmi.WMI(namespace=r"root\subscription")
    out = []
    for cls in ("CommandLineEventConsumer", "ActiveScriptEventConsumer"):
        for c in conn.query(f"SELECT * FROM {cls}"):
            out.append(
                {
                    k: str(getattr(c, k, "") or "")
                    for k in ("Name", "CommandLineTemplate", "ExecutablePath", "ScriptText")
                }
            )
    return out


def _startup_dirs() -> list[str]:
    dirs = []
    appdata = os.environ.get("APPDATA")
    if appdata:
        dirs.append(os.path.join(appdata, r"Microsoft\Windows\Start Menu\Programs\Startup"))
    progdata = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
    dirs.append(os.path.join(progdata, r"Microsoft\Windows\Start Menu\Programs\StartUp"))
    return dirs
