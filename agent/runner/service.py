"""Install the scheduled mode as a boot-time service: a systemd unit (Linux) or a scheduled
task running as SYSTEM at start-up (Windows). Commands are built here and run through an
injectable runner so they can be checked without touching the system."""

from __future__ import annotations

import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from agent.runner.budget import worker_command

SERVICE_NAME = "minecheck"
UNIT_DIR = Path("/etc/systemd/system")

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def _run(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=False)


@dataclass
class ServiceStatus:
    installed: bool
    active: bool | None
    detail: str


def systemd_unit(command: Sequence[str], home: Path | None) -> str:
    env = f"Environment=MINECHECK_HOME={home}\n" if home else ""
    return (
        "[Unit]\n"
        "Description=minecheck anti-mining self-inspection agent\n"
        "After=network-online.target\nWants=network-online.target\n\n"
        "[Service]\n"
        f"ExecStart={shlex.join(command)}\n"
        f"{env}"
        "Restart=always\nRestartSec=60\nNice=10\nIOSchedulingClass=idle\n"
        "MemoryMax=400M\nCPUQuota=50%\n\n"
        "[Install]\nWantedBy=multi-user.target\n"
    )


def windows_task_command(command: Sequence[str]) -> list[str]:
    task_run = subprocess.list2cmdline(list(command))
    return [
        "schtasks", "/Create", "/F", "/TN", SERVICE_NAME, "/TR", task_run,
        "/SC", "ONSTART", "/RU", "SYSTEM", "/RL", "HIGHEST", "/DELAY", "0005:00",
    ]  # fmt: skip


def install(
    home: Path | None,
    unit_dir: Path = UNIT_DIR,
    runner: Runner = _run,
    platform: str = sys.platform,
) -> str:
    command = worker_command(["run"])
    if platform == "win32":
        if home:
            command = [*command[:-1], "--home", str(home), "run"]
        result = runner(windows_task_command(command))
        if result.returncode != 0:
            raise OSError(result.stderr or result.stdout)
        return SERVICE_NAME
    unit = unit_dir / f"{SERVICE_NAME}.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(systemd_unit(command, home), encoding="utf-8")
    for cmd in (["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", SERVICE_NAME]):
        result = runner(cmd)
        if result.returncode != 0:
            raise OSError(f"{shlex.join(cmd)}: {result.stderr.strip()}")
    return str(unit)


def uninstall(
    unit_dir: Path = UNIT_DIR, runner: Runner = _run, platform: str = sys.platform
) -> None:
    if platform == "win32":
        runner(["schtasks", "/Delete", "/F", "/TN", SERVICE_NAME])
        return
    runner(["systemctl", "disable", "--now", SERVICE_NAME])
    (unit_dir / f"{SERVICE_NAME}.service").unlink(missing_ok=True)
    runner(["systemctl", "daemon-reload"])


def status(
    unit_dir: Path = UNIT_DIR, runner: Runner = _run, platform: str = sys.platform
) -> ServiceStatus:
    if platform == "win32":
        result = runner(["schtasks", "/Query", "/TN", SERVICE_NAME, "/FO", "LIST"])
        return ServiceStatus(result.returncode == 0, None, (result.stdout or result.stderr).strip())
    installed = (unit_dir / f"{SERVICE_NAME}.service").exists()
    result = runner(["systemctl", "is-active", SERVICE_NAME])
    return ServiceStatus(installed, result.stdout.strip() == "active", result.stdout.strip())
