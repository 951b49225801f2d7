"""The boot-time service on Windows: a scheduled task running as SYSTEM at start-up."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.platform.types import SERVICE_NAME, ServiceStatus


def windows_task_command(command: Sequence[str]) -> list[str]:
    task_run = subprocess.list2cmdline(list(command))
    return [
        "schtasks", "/Create", "/F", "/TN", SERVICE_NAME, "/TR", task_run,
        "/SC", "ONSTART", "/RU", "SYSTEM", "/RL", "HIGHEST", "/DELAY", "0005:00",
    ]  # fmt: skip


def install(command: list[str], home: Path | None, unit_dir: Path, runner: Any) -> str:
    if home:
        command = [*command[:-1], "--home", str(home), "run"]
    result = runner(windows_task_command(command))
    if result.returncode != 0:
        raise OSError(result.stderr or result.stdout)
    return SERVICE_NAME


def uninstall(unit_dir: Path, runner: Any) -> None:
    runner(["schtasks", "/Delete", "/F", "/TN", SERVICE_NAME])


def status(unit_dir: Path, runner: Any) -> ServiceStatus:
    result = runner(["schtasks", "/Query", "/TN", SERVICE_NAME, "/FO", "LIST"])
    return ServiceStatus(result.returncode == 0, None, (result.stdout or result.stderr).strip())
