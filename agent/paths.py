"""Where the agent keeps its configuration, token, spool, caches and signature bundles.

One folder, chosen by ``--home DIR`` (sets ``MINECHECK_HOME``) or the ``MINECHECK_HOME``
environment variable; default the system folder (``%ProgramData%\\minecheck`` or
``/etc/minecheck``) when it is writable, else a per-user folder so an unprivileged scan works.
"""

from __future__ import annotations

import os
from pathlib import Path

import agent.platform as plat

ENV_HOME = "MINECHECK_HOME"


def system_home() -> Path:
    """%ProgramData%\\minecheck (Windows), /etc/minecheck (Linux)."""
    return plat.system_home()


def user_home() -> Path:
    """%LOCALAPPDATA%\\minecheck (Windows), $XDG_DATA_HOME/minecheck (Linux)."""
    return plat.user_home()


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
