"""Install the scheduled mode as a boot-time service: a systemd unit (Linux) or a scheduled
task running as SYSTEM at start-up (Windows), through agent.platform. Commands run through
an injectable runner so they can be checked without touching the system."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import agent.platform as plat
from agent.platform.types import SERVICE_NAME, ServiceChange, ServiceStatus
from agent.runner.budget import worker_command

__all__ = [
    "SERVICE_NAME", "UNIT_DIR", "ServiceChange", "ServiceStatus", "install", "status", "uninstall",
]  # fmt: skip

UNIT_DIR = Path("/etc/systemd/system")

Runner = Callable[[Sequence[str]], subprocess.CompletedProcess]


def _run(cmd: Sequence[str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(cmd), capture_output=True, text=True, check=False)


def install(
    home: Path | None, unit_dir: Path | None = None, runner: Runner | None = None
) -> ServiceChange:
    """Install and start the service; says where (unit file or task) and what it did."""
    return plat.install_service(worker_command(["run"]), home, unit_dir or UNIT_DIR, runner or _run)


def uninstall(unit_dir: Path | None = None, runner: Runner | None = None) -> ServiceChange:
    return plat.uninstall_service(unit_dir or UNIT_DIR, runner or _run)


def status(unit_dir: Path | None = None, runner: Runner | None = None) -> ServiceStatus:
    return plat.service_status(unit_dir or UNIT_DIR, runner or _run)
