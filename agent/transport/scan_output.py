"""`minecheck scan --export FILE` (the report as a tamper-evident hand-carry file) and the
retry policy of `minecheck scan --upload`: short, because the report is already spooled and
the next run or `minecheck upload` sends it when the collector is back."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from agent.i18n import _
from agent.transport.uploader import RetryPolicy

SCAN_RETRY_ATTEMPTS = 3
SCAN_UPLOAD_DEADLINE = 60.0


def scan_upload_policy() -> RetryPolicy:
    return RetryPolicy(attempts=SCAN_RETRY_ATTEMPTS, deadline_seconds=SCAN_UPLOAD_DEADLINE)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--export",
        metavar="FILE",
        help=_("Write a tamper-evident report file to carry to the bureau (USB hand-carry)"),
    )


def export_path(target: str, hostname: str) -> Path:
    """FILE as given, or a file named after the computer when FILE is a folder."""
    path = Path(target)
    if path.is_dir():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in hostname) or "pc"
        path = path / f"minecheck-{safe}-{stamp}.mcr"
    return path


def handle_export(args: argparse.Namespace, report) -> bool:
    """Write ``report`` for hand-carry when --export was given; False when that failed."""
    target = getattr(args, "export", None)
    if not target:
        return True
    from agent.config import ConfigError
    from agent.transport import handcarry
    from agent.transport.agent_state import AgentState

    try:
        state = AgentState.load(getattr(args, "config", None))
    except (ConfigError, ValueError) as exc:
        print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
        return False
    path = export_path(target, report.device.hostname)
    body = report.model_dump_json().encode("utf-8")
    try:
        handcarry.write(path, body, state.home, state.config.server.enrollment_token)
    except (OSError, handcarry.HandcarryError) as exc:
        print(
            _("Could not write the hand-carry file {path}: {error}").format(
                path=path, error=getattr(exc, "strerror", None) or exc
            ),
            file=sys.stderr,
        )
        return False
    print(_("Hand-carry file written: {path}").format(path=path.resolve()), file=sys.stderr)
    return True
