"""Where the agent keeps its configuration, token, spool, caches and signature bundles.

One folder, chosen by ``--home DIR`` (sets ``MINECHECK_HOME``) or the ``MINECHECK_HOME``
environment variable; default the system folder (``%ProgramData%\\minecheck`` or
``/etc/minecheck``) when it is writable, else a per-user folder so an unprivileged scan works.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_HOME = "MINECHECK_HOME"


def system_home() -> Path:
    if sys.platform == "win32":
        return Path(os.environ.get("PROGRAMDATA", r"C:\ProgramData")) / "minecheck"
    return Path("/etc/minecheck")


def user_home() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "minecheck"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "minecheck"


def _writable(path: Path) -> bool:
    probe = path if path.exists() else path.parent
    return os.access(probe, os.W_OK)


def home_dir() -> Path:
    """The agent's home folder (not created here)."""
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env).expanduser().resolve()
    system = system_home()
    return system if _writable(system) else user_home()


def cache_dir() -> Path:
    """Compiled rules and other caches; safe to delete."""
    return home_dir() / "cache"


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
