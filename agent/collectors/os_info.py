"""OS collector: name, version/build, architecture, boot time, hostname, domain, users."""

from __future__ import annotations

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


def collect_os(ctx: ScanContext) -> OSInfo:
    return plat.os_info(logged_in_users())
