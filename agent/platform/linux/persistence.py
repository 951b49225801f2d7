"""Linux persistence: crontabs, systemd units, rc.local, shell rc files, ld.so.preload.

Every path is read under ``root`` (default "/") so tests can point it at a temp tree.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd

from agent.platform.types import PersistenceEntry

_MAX = 256 * 1024


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read(_MAX)
    except OSError:
        return None


def _under(root: str, pattern: str) -> list[str]:
    return sorted(glob.glob(os.path.join(root, pattern.lstrip("/"))))


def home_dirs(root: str) -> list[str]:
    homes = set(_under(root, "/home/*")) | {os.path.join(root, "root")}
    if root in ("/", ""):
        with contextlib.suppress(OSError):
            homes |= {u.pw_dir for u in pwd.getpwall() if u.pw_dir.startswith("/home/")}
    return sorted(h for h in homes if os.path.isdir(h))


def cron_entries(root: str) -> list[PersistenceEntry]:
    out: list[PersistenceEntry] = []
    files = (
        _under(root, "/etc/crontab")
        + _under(root, "/etc/cron.d/*")
        + _under(root, "/var/spool/cron/crontabs/*")
        + _under(root, "/var/spool/cron/*")
    )
    for path in files:
        if not os.path.isfile(path):
            continue
        for line in (_read(path) or "").splitlines():
            line = line.strip()
            if not line or line.startswith("#") or "=" in line.split()[0]:
                continue
            out.append(PersistenceEntry("cron", path, line[:80], line))
    for path in _under(root, "/etc/cron.*/*"):
        if os.path.isfile(path) and "/etc/cron.d/" not in path:
            out += _script_lines("cron", path)
    return out


def _script_lines(mechanism: str, path: str) -> list[PersistenceEntry]:
    out = []
    for line in (_read(path) or "").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(PersistenceEntry(mechanism, path, os.path.basename(path), line))
    return out


def systemd_entries(root: str) -> list[PersistenceEntry]:
    out: list[PersistenceEntry] = []
    patterns = [
        "/etc/systemd/system/*.service",
        "/etc/systemd/system/*/*.service",
        "/etc/systemd/user/*.service",
        "/run/systemd/transient/*.service",
        "/lib/systemd/system/*.service",
        "/usr/lib/systemd/system/*.service",
    ]
    files = [p for pat in patterns for p in _under(root, pat)]
    for home in home_dirs(root):
        files += sorted(glob.glob(os.path.join(home, ".config/systemd/user/*.service")))
        files += sorted(glob.glob(os.path.join(home, ".config/systemd/user/*/*.service")))
    seen: set[str] = set()
    for path in files:
        real = os.path.realpath(path)
        if real in seen or not os.path.isfile(real):
            continue
        seen.add(real)
        for line in (_read(real) or "").splitlines():
            key, _, value = line.strip().partition("=")
            if key in ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecReload"):
                out.append(
                    PersistenceEntry("systemd", path, os.path.basename(path), value.lstrip("-@+!:"))
                )
    return out


def rc_entries(root: str) -> list[PersistenceEntry]:
    out: list[PersistenceEntry] = []
    for path in (
        _under(root, "/etc/rc.local")
        + _under(root, "/etc/profile.d/*.sh")
        + _under(root, "/etc/profile")
        + _under(root, "/etc/bash.bashrc")
    ):
        out += _script_lines("rc_local" if path.endswith("rc.local") else "shell_rc", path)
    for home in home_dirs(root):
        for name in (".bashrc", ".profile", ".bash_profile", ".zshrc", ".bash_login"):
            path = os.path.join(home, name)
            if os.path.isfile(path):
                out += _script_lines("shell_rc", path)
    return out


def ld_preload(root: str) -> tuple[str, list[str]] | None:
    """(path, libraries) when ld.so.preload exists and lists something."""
    path = os.path.join(root, "etc/ld.so.preload")
    text = _read(path)
    if text is None:
        return None
    libs = [w for line in text.splitlines() for w in line.split("#", 1)[0].split()]
    return (path, libs) if libs else None


def all_entries(root: str = "/") -> list[PersistenceEntry]:
    return cron_entries(root) + systemd_entries(root) + rc_entries(root)
