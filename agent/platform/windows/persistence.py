"""Windows persistence: Run keys, services, scheduled tasks, WMI consumers, Startup folders,
Defender exclusions. Each source is a reader function so tests feed recorded fixtures.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.platform.types import PersistenceEntry

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
    schtasks_xml: Callable[[], str] = field(default=lambda: _schtasks_xml())
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
    """`schtasks /query /fo csv /v` (English headers only; the scan uses the XML form)."""
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        name = row.get("TaskName") or ""
        command = row.get("Task To Run") or ""
        if name == "TaskName" or not command or command == "COM handler":
            continue
        out.append(PersistenceEntry("task", name, name, command))
    return list({(e.name, e.command): e for e in out}.values())


_TASK_NS = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"
_TASK_SPLIT = re.compile(r"<!--\s*(.*?)\s*-->\s*(<Task\b.*?</Task>)", re.S)


def parse_schtasks_xml(text: str) -> list[PersistenceEntry]:
    """`schtasks /query /xml` (the same in every display language) -> one entry per Exec."""
    out = []
    for name, body in _TASK_SPLIT.findall(text):
        try:
            task = ET.fromstring(body)
        except ET.ParseError:
            continue
        for ex in task.iter(f"{_TASK_NS}Exec"):
            command = (ex.findtext(f"{_TASK_NS}Command") or "").strip()
            args = (ex.findtext(f"{_TASK_NS}Arguments") or "").strip()
            if command:
                out.append(PersistenceEntry("task", name, name, f"{command} {args}".strip()))
    return out


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


def all_entries(
    src: WindowsSources, on_error: Callable[[str, Exception], None] | None = None
) -> list[PersistenceEntry]:
    """Every source; one that fails (WMI service down, schtasks missing) is reported through
    ``on_error`` and the others still count."""
    out: list[PersistenceEntry] = []
    readers: list[tuple[str, Callable[[], list[PersistenceEntry]]]] = [
        ("run_keys", lambda: run_key_entries(src)),
        ("services", lambda: service_entries(src)),
        ("scheduled_tasks", lambda: parse_schtasks_xml(src.schtasks_xml())),
        ("wmi_subscriptions", lambda: wmi_entries(src)),
        ("startup_folders", lambda: startup_entries(src)),
    ]
    for name, read in readers:
        try:
            out += read()
        except Exception as exc:  # noqa: BLE001 - one source must not hide the others
            if on_error is not None:
                on_error(name, exc)
    return out


# --- real readers (Windows only) -------------------------------------------------------


def _reg_values(key: str) -> dict[str, str]:
    from agent.platform.windows import registry

    return {name: str(value) for name, value in registry.values(key).items()}


def _reg_subkeys(key: str) -> list[str]:
    from agent.platform.windows import registry

    return registry.subkeys(key)


def _schtasks_xml() -> str:
    proc = subprocess.run(
        ["schtasks", "/query", "/xml"], capture_output=True, timeout=30, check=False
    )
    raw = proc.stdout
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("mbcs", errors="replace")


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
