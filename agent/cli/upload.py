"""`minecheck upload`: send the spooled reports; nothing leaves the spool unacknowledged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import EXIT_CLEAN, EXIT_ERROR, load_agent_state
from agent.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))


def run(args: argparse.Namespace) -> int:
    from agent.transport.uploader import flush

    state = load_agent_state(args.config)
    if state is None:
        return EXIT_ERROR
    spool = state.spool()
    if not state.creds:
        print(
            _("Not enrolled yet ({count} report(s) waiting): run `minecheck enroll`.").format(
                count=len(spool.items())
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR
    return report_flush(flush(spool, state.client()), state)


def report_flush(result, state) -> int:
    """Print what an upload achieved; exit status 0 when the spool is empty."""
    print(
        _("Sent {sent} report(s); {rejected} rejected; {remaining} waiting.").format(
            sent=len(result.sent), rejected=len(result.rejected), remaining=result.remaining
        )
    )
    if result.revoked:
        print(_("The device token was revoked: enroll this computer again."), file=sys.stderr)
    elif result.unauthorized:
        print(
            _("The collector refused the device token: enroll this computer again."),
            file=sys.stderr,
        )
    elif result.last_error:
        print(
            _(
                "Reports not sent: {error}. They stay in {spool} and are sent on the next run."
            ).format(error=result.last_error, spool=state.home / "spool"),
            file=sys.stderr,
        )
    return EXIT_CLEAN if result.ok else EXIT_ERROR
