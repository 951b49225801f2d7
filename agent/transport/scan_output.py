"""`minecheck scan --upload` and `--export FILE`: what happens to a finished report besides
the terminal and the report files. The report is spooled before any upload is tried; an
upload problem is reported but never changes the exit status (that reflects the verdict)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path

from agent.i18n import _

SCAN_RETRY_ATTEMPTS = 3
SCAN_UPLOAD_DEADLINE = 60.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--upload",
        action="store_true",
        help=_("Spool the report and send it to the collector (kept until acknowledged)"),
    )
    parser.add_argument(
        "--export",
        metavar="FILE",
        help=_("Write a tamper-evident report file to carry to the bureau (USB hand-carry)"),
    )
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))


def wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "upload", False) or getattr(args, "export", None))


def export_path(target: str, hostname: str) -> Path:
    path = Path(target)
    if path.is_dir():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in hostname) or "pc"
        path = path / f"minecheck-{safe}-{stamp}.mcr"
    return path


def handle(args: argparse.Namespace, report) -> bool:
    """Spool/upload and/or export ``report``; returns False when an export failed."""
    from agent.config import ConfigError
    from agent.transport.agent_state import AgentState

    if not wanted(args):
        return True
    try:
        state = AgentState.load(getattr(args, "config", None))
    except (ConfigError, ValueError) as exc:
        print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
        return False
    body = report.model_dump_json().encode("utf-8")
    ok = True
    if getattr(args, "export", None):
        ok = _export(args.export, body, report, state)
    if getattr(args, "upload", False):
        _upload(str(report.report_id), body, state, quiet=getattr(args, "quiet", False))
    return ok


def _export(target: str, body: bytes, report, state) -> bool:
    from agent.transport import handcarry

    path = export_path(target, report.device.hostname)
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


def _upload(report_id: str, body: bytes, state, quiet: bool) -> None:
    from agent.cli.upload import report_flush
    from agent.transport.uploader import RetryPolicy, flush

    spool = state.spool()
    try:
        spool.put(report_id, body)
    except OSError as exc:
        print(
            _("Could not spool the report in {spool}: {error}").format(
                spool=spool.root, error=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return
    if not state.creds:
        print(
            _("Not enrolled yet ({count} report(s) waiting): run `minecheck enroll`.").format(
                count=len(spool.items())
            ),
            file=sys.stderr,
        )
        return
    policy = RetryPolicy(attempts=SCAN_RETRY_ATTEMPTS, deadline_seconds=SCAN_UPLOAD_DEADLINE)
    result = flush(spool, state.client(), policy)
    if quiet and result.ok:
        return
    stdout = sys.stdout
    try:
        sys.stdout = sys.stderr  # keep stdout for `--json -`
        report_flush(result, state)
    finally:
        sys.stdout = stdout
