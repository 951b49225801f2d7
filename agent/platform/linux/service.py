"""The boot-time service on Linux: a systemd unit. Commands go through an injectable runner
so they can be checked without touching the system."""

from __future__ import annotations

import contextlib
import shlex
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from agent.i18n import _
from agent.platform.types import SERVICE_NAME, ServiceChange, ServiceStatus


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


def install(command: list[str], home: Path | None, unit_dir: Path, runner: Any) -> ServiceChange:
    """Write the unit, enable and start it. When systemctl fails, the unit file written here
    is taken back (a unit that was there before is put back as it was), so no half-installed
    service is left, and the error says what to do."""
    unit = unit_dir / f"{SERVICE_NAME}.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    before = unit.read_bytes() if unit.is_file() else None
    unit.write_text(systemd_unit(command, home), encoding="utf-8")
    for cmd in (["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", SERVICE_NAME]):
        try:
            result = runner(cmd)
        except OSError as exc:  # no systemctl at all
            result = subprocess.CompletedProcess(cmd, 127, "", str(exc))
        if result.returncode != 0:
            _take_back(unit, before, runner)
            detail = (result.stderr or result.stdout or "").strip() or f"exit {result.returncode}"
            raise OSError(
                _(
                    "'{command}' failed: {error}. The service was not installed and no unit "
                    "file was left behind. Check that this machine runs systemd "
                    "('systemctl status' should answer), then run 'minecheck service install' "
                    "again as root; without systemd, start 'minecheck run' another way "
                    "(e.g. from cron at boot)."
                ).format(command=shlex.join(cmd), error=detail)
            )
    return ServiceChange(where=str(unit), program=command[0], started=True)


def _take_back(unit: Path, before: bytes | None, runner: Any) -> None:
    if before is None:
        with contextlib.suppress(OSError):
            runner(["systemctl", "disable", "--now", SERVICE_NAME])
        unit.unlink(missing_ok=True)
    else:
        unit.write_bytes(before)
    with contextlib.suppress(OSError):
        runner(["systemctl", "daemon-reload"])


def uninstall(unit_dir: Path, runner: Any) -> ServiceChange:
    unit = unit_dir / f"{SERVICE_NAME}.service"
    runner(["systemctl", "disable", "--now", SERVICE_NAME])
    unit.unlink(missing_ok=True)
    runner(["systemctl", "daemon-reload"])
    return ServiceChange(where=str(unit))


def status(unit_dir: Path, runner: Any) -> ServiceStatus:
    installed = (unit_dir / f"{SERVICE_NAME}.service").exists()
    result = runner(["systemctl", "is-active", SERVICE_NAME])
    return ServiceStatus(installed, result.stdout.strip() == "active", result.stdout.strip())
