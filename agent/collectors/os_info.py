"""OS collector: name, version/build, architecture, boot time, hostname, domain, users."""

from __future__ import annotations

import platform
import socket
from datetime import datetime, timezone

import psutil

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.report.sanitize import printable
from agent.wire.report import OSInfo


def logged_in_users() -> list[str]:
    """Names of users with a session now (terminal, console, remote), de-duplicated."""
    try:
        return sorted({printable(u.name) for u in psutil.users() if u.name})
    except (OSError, RuntimeError):
        return []


def boot_time() -> datetime | None:
    try:
        return datetime.fromtimestamp(psutil.boot_time(), tz=timezone.utc)
    except (OSError, RuntimeError, ValueError):
        return None


def collect_os(ctx: ScanContext) -> OSInfo:
    users = logged_in_users()
    if plat.IS_WINDOWS:
        from agent.platform.windows import inventory as win
        from agent.platform.windows.source import default_source

        w = win.read_os(default_source())
        if w.user:  # DOMAIN\user of the console session
            users = sorted({*users, w.user.split("\\")[-1]})
        return OSInfo(
            name=w.name,
            version=w.version,
            build=w.build,
            architecture=w.architecture or platform.machine() or None,
            hostname=w.hostname or socket.gethostname(),
            domain=w.domain,
            boot_time=boot_time() or w.boot_time,
            users=users,
            is_server=w.is_server,
        )
    if plat.IS_LINUX:
        from agent.platform.linux.system import read_os

        lx = read_os()
        return OSInfo(
            name=lx.name,
            version=lx.version,
            build=lx.build,
            architecture=lx.architecture,
            hostname=lx.hostname,
            domain=lx.domain,
            boot_time=boot_time(),
            users=users,
            is_server=lx.is_server,
        )
    return OSInfo(
        name=platform.system() or "unknown",
        version=platform.version() or None,
        build=platform.release() or None,
        architecture=platform.machine() or None,
        hostname=socket.gethostname(),
        boot_time=boot_time(),
        users=users,
    )
