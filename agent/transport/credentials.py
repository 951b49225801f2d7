"""The device token and the collector's public key, stored in the agent home folder and
readable only by the administrator account (POSIX mode 0600; Windows ACL: Administrators
and SYSTEM only)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import agent.platform as plat
from agent.transport.spool import atomic_write

CREDENTIALS_FILE = "credentials.json"


@dataclass
class Credentials:
    server_url: str
    device_token: str
    device_id: str | None = None
    signing_public_key: str | None = None


def restrict_to_admins(path: Path) -> None:
    """Make ``path`` readable by the administrator account only."""
    plat.restrict_to_admins(path)


def save(home: Path, creds: Credentials) -> Path:
    path = home / CREDENTIALS_FILE
    atomic_write(path, json.dumps(asdict(creds), indent=2).encode("utf-8"))
    restrict_to_admins(path)
    return path


def load(home: Path) -> Credentials | None:
    path = home / CREDENTIALS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable credentials ({exc})") from exc
    return Credentials(**{k: data.get(k) for k in Credentials.__dataclass_fields__})
