"""The boot-time service on Windows: a scheduled task running as SYSTEM at start-up.

``install`` copies the running executable (and a ``minecheck.toml`` beside it) into a fixed
program folder, ``%ProgramFiles%\\minecheck``, so the task does not point at a USB stick that
is gone after the lab is set up; it then creates the task and starts it at once, so the first
report is uploaded now rather than after the next reboot. ``uninstall`` removes the task and
the copied files. Commands go through an injectable runner (tests record them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.i18n import _
from agent.platform.types import SERVICE_NAME, ServiceChange, ServiceStatus

EXE_NAME = "minecheck.exe"
CONFIG_NAME = "minecheck.toml"


def program_dir() -> Path:
    """%ProgramFiles%\\minecheck: where the installed executable lives."""
    base = os.environ.get("PROGRAMFILES") or r"C:\Program Files"
    return Path(base) / "minecheck"


def windows_task_command(command: Sequence[str]) -> list[str]:
    task_run = subprocess.list2cmdline(list(command))
    return [
        "schtasks", "/Create", "/F", "/TN", SERVICE_NAME, "/TR", task_run,
        "/SC", "ONSTART", "/RU", "SYSTEM", "/RL", "HIGHEST", "/DELAY", "0005:00",
    ]  # fmt: skip


def _frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _check(result: Any, cmd: Sequence[str]) -> None:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip()
        raise OSError(f"{subprocess.list2cmdline(list(cmd))}: {detail}")


def _copy_program(source: Path, target_dir: Path, runner: Any) -> Path:
    """Copy the executable (and the configuration beside it) into ``target_dir``. The copied
    configuration may hold the enrollment token: readable by administrators and SYSTEM only
    (Program Files is readable by every user)."""
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / EXE_NAME
    partial = target_dir / (EXE_NAME + ".new")
    shutil.copy2(source, partial)
    os.replace(partial, target)
    config = source.parent / CONFIG_NAME
    if config.is_file():
        copied = target_dir / CONFIG_NAME
        shutil.copy2(config, copied)
        runner(["icacls", str(copied), "/inheritance:r", "/grant:r",
                "*S-1-5-32-544:F", "*S-1-5-18:F"])  # fmt: skip
    return target


def install(command: list[str], home: Path | None, unit_dir: Path, runner: Any) -> ServiceChange:
    if home:
        command = [*command[:-1], "--home", str(home), "run"]
    copied_from = None
    if _frozen():
        source = Path(command[0])
        target_dir = program_dir()
        if not _same(source, target_dir / EXE_NAME):
            # a task already running the old copy keeps the file locked: stop it first
            runner(["schtasks", "/End", "/TN", SERVICE_NAME])
            target = _copy_program(source, target_dir, runner)
            copied_from = str(source)
            command = [str(target), *command[1:]]
    create = windows_task_command(command)
    result = runner(create)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout or "").strip() or f"exit {result.returncode}"
        raise OSError(
            _(
                "'{command}' failed: {error}. The start-at-boot task was not created. Open a "
                "command prompt as administrator and run 'minecheck service install' again; if "
                "it fails again, look at the Task Scheduler (taskschd.msc)."
            ).format(command="schtasks /Create", error=detail)
        )
    start = ["schtasks", "/Run", "/TN", SERVICE_NAME]
    started = runner(start).returncode == 0
    return ServiceChange(
        where=SERVICE_NAME, program=command[0], copied_from=copied_from, started=started
    )


def uninstall(unit_dir: Path, runner: Any) -> ServiceChange:
    runner(["schtasks", "/End", "/TN", SERVICE_NAME])
    delete = ["schtasks", "/Delete", "/F", "/TN", SERVICE_NAME]
    result = runner(delete)
    query = runner(["schtasks", "/Query", "/TN", SERVICE_NAME])
    if result.returncode != 0 and query.returncode == 0:
        _check(result, delete)  # the task is still there
    folder = program_dir()
    removed = None
    left = []
    for name in (EXE_NAME, CONFIG_NAME, EXE_NAME + ".new"):
        path = folder / name
        if not path.exists():
            continue
        try:
            path.unlink()
        except OSError:
            left.append(str(path))  # e.g. uninstall run from this very copy
        else:
            if name == EXE_NAME:
                removed = str(path)
    if not left and folder.is_dir():
        with contextlib.suppress(OSError):  # other files a person put there: theirs
            folder.rmdir()
    return ServiceChange(where=SERVICE_NAME, program=removed, left_behind=tuple(left))


def status(unit_dir: Path, runner: Any) -> ServiceStatus:
    result = runner(["schtasks", "/Query", "/TN", SERVICE_NAME, "/FO", "LIST"])
    return ServiceStatus(result.returncode == 0, None, (result.stdout or result.stderr).strip())
