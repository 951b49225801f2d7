"""Publish a notice's indicators into the signed signature bundle (via distribution.bundles)."""

from __future__ import annotations

import re

from collector_server.notices.models import Notice
from collector_server.signatures.bundles import ImportRefused, import_file


class PublishError(ValueError):
    """Nothing was published; the message says why."""


def indicator_list(notice: Notice) -> bytes:
    """A plain list (one value a line, the port as a note) the bundle importer reads."""
    lines = [f"# notice {notice.number} ({notice.get_source_display()})"]
    for ind in notice.indicators.all():
        lines.append(f"{ind.value} port {ind.port}" if ind.port else ind.value)
    return ("\n".join(lines) + "\n").encode("utf-8")


def publish_notice(notice: Notice, user=None):
    """Import the indicators as a list file; returns the new SignatureBundle."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", notice.number).strip("_") or str(notice.pk)
    try:
        outcome = import_file(
            f"notice-{notice.pk}-{safe}.txt",
            indicator_list(notice),
            note=f"notice {notice.number}",
            user=user,
        )
    except ImportRefused as exc:
        raise PublishError(str(exc)) from exc
    return outcome.bundle
