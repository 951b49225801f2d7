"""Remembered SMBIOS parts, so a run without root keeps the fingerprint a root run made.

Linux serials and the system UUID are root-only. A root run stores the cleaned parts with
the physical MACs it saw in the agent home; a later run without root uses them only when it
sees exactly the same MACs, so a cache copied to a cloned PC (other NICs) is ignored.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from agent import paths
from agent.wire.report import IdentityParts

log = logging.getLogger(__name__)

CACHE_FILE = "identity-cache.json"


def _candidates() -> list[Path]:
    homes = [paths.home_dir(), paths.system_home()]
    return list(dict.fromkeys(h / CACHE_FILE for h in homes))


def save(parts: IdentityParts) -> None:
    """Remember the parts (best effort; silently skipped where the home is not writable)."""
    if not parts.macs or not (parts.system_uuid or parts.board_serial or parts.system_serial):
        return
    path = paths.home_dir() / CACHE_FILE
    data = parts.model_dump()
    try:
        if path.exists() and json.loads(path.read_text(encoding="utf-8")) == data:
            return
        paths.ensure_dir(path.parent)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except (OSError, ValueError):
        log.debug("identity cache not written", exc_info=True)


def fill(parts: IdentityParts) -> bool:
    """Fill the parts a run without root could not read from a cache made on this hardware.

    True when something was filled. The cache counts only if its MACs equal ``parts.macs``.
    """
    if not parts.macs:
        return False
    for path in _candidates():
        try:
            cached = IdentityParts.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        if cached.macs != parts.macs:
            continue
        filled = False
        for name in ("system_uuid", "board_serial", "system_serial"):
            if getattr(parts, name) is None and getattr(cached, name) is not None:
                setattr(parts, name, getattr(cached, name))
                filled = True
        return filled
    return False
