"""Linux OS facts: /etc/os-release, /etc/machine-id, domain and server heuristics."""

from __future__ import annotations

import platform
import re
import shlex
import socket
from dataclasses import dataclass

from agent.platform.linux.sysfs import Root

# SMBIOS chassis types of servers: 17 Main Server Chassis, 23 Rack Mount, 25 Multi-system,
# 28 Blade, 29 Blade Enclosure
SERVER_CHASSIS = {"17", "23", "25", "28", "29"}


@dataclass
class LinuxOS:
    name: str
    version: str | None
    build: str | None
    architecture: str
    hostname: str
    domain: str | None
    is_server: bool
    server_reason: str | None


def parse_os_release(text: str) -> dict[str, str]:
    """KEY=value lines with shell quoting, as os-release(5) defines."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = [value.strip("\"'")]
        out[key.strip()] = parts[0] if parts else ""
    return out


def os_release(root: Root) -> dict[str, str]:
    text = root.read("etc/os-release") or root.read("usr/lib/os-release") or ""
    return parse_os_release(text)


def machine_id(root: Root) -> str | None:
    value = root.read("etc/machine-id") or root.read("var/lib/dbus/machine-id")
    if value and len(value) == 32 and set(value) != {"0"}:
        return value.lower()
    return None


KRB5_REALM = re.compile(r"^\s*default_realm\s*=\s*(\S+)", re.MULTILINE)


def domain(root: Root, hostname: str) -> str | None:
    """DNS domain from a dotted hostname, else the NIS domain, else the Kerberos realm of an
    AD-joined machine (/etc/krb5.conf); no network lookup."""
    if "." in hostname:
        return hostname.split(".", 1)[1]
    nis = root.read("proc/sys/kernel/domainname")
    if nis and nis != "(none)":
        return nis
    realm = KRB5_REALM.search(root.read("etc/krb5.conf") or "")
    return realm.group(1).lower() if realm else None


def server_reason(root: Root, release: dict[str, str]) -> str | None:
    """Why this looks like a server, or None: server chassis, server variant, no desktop."""
    chassis = root.read("sys/class/dmi/id/chassis_type")
    if chassis in SERVER_CHASSIS:
        return f"chassis_type={chassis}"
    variant = (release.get("VARIANT_ID", "") + " " + release.get("NAME", "")).lower()
    if "server" in variant:
        return "os_variant=server"
    target = root.resolve("etc/systemd/system/default.target")
    if target and target.endswith("multi-user.target"):
        return "default.target=multi-user"
    return None


def read_os(root: Root | None = None) -> LinuxOS:
    root = root or Root()
    release = os_release(root)
    host = socket.gethostname()
    reason = server_reason(root, release)
    return LinuxOS(
        name=release.get("PRETTY_NAME") or release.get("NAME") or "Linux",
        version=release.get("VERSION_ID") or release.get("VERSION"),
        build=platform.release() or None,
        architecture=platform.machine() or "unknown",
        hostname=host,
        domain=domain(root, host),
        is_server=reason is not None,
        server_reason=reason,
    )
