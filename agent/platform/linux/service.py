"""The boot-time service on Linux: a systemd unit. Commands go through an injectable runner
so they can be checked without touching the system."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.platform.types import SERVICE_NAME, ServiceStatus


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


def install(command: list[str], home: Path | None, unit_dir: Path, runner: Any) -> str:
    unit = unit_dir / f"{SERVICE_NAME}.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(systemd_unit(command, home), encoding="utf-8")
    for cmd in (["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", SERVICE_NAME]):
        result = runner(cmd)
        if result.returncode != 0:
            raise OSError(f"{shlex.join(cmd)}: {result.stderr.strip()}")
    return str(unit)


def uninstall(unit_dir: Path, runner: Any) -> None:
    runner(["systemctl", "disable", "--now", SERVICE_NAME])
    (unit_dir / f"{SERVICE_NAME}.service").unlink(missing_ok=True)
    runner(["systemctl", "daemon-reload"])


def status(unit_dir: Path, runner: Any) -> ServiceStatus:
    installed = (unit_dir / f"{SERVICE_NAME}.service").exists()
    result = runner(["systemctl", "is-active", SERVICE_NAME])
    return ServiceStatus(installed, result.stdout.strip() == "active", result.stdout.strip())
