"""`minecheck enroll`: register this computer with the collector and keep the device token."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import EXIT_CLEAN, EXIT_ERROR, load_agent_state
from agent.i18n import _

LEDGER_FLAGS = ("location", "department", "owner", "phone", "asset_tag")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--server", help=_("Collector address, e.g. https://collector.example"))
    parser.add_argument("--token", help=_("Enrollment token from the bureau or school"))
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))
    parser.add_argument("--location", help=_("Deployment location, e.g. Lab 2, seat 14"))
    parser.add_argument("--department", help=_("Managing department"))
    parser.add_argument("--owner", help=_("Responsible person"))
    parser.add_argument("--phone", help=_("Responsible person's phone"))
    parser.add_argument("--asset-tag", dest="asset_tag", help=_("Asset tag"))
    parser.add_argument(
        "--insecure",
        action="store_true",
        help=_("Do not verify the TLS certificate (testing only)"),
    )


def run(args: argparse.Namespace) -> int:
    from agent.transport.enrollment import EnrollmentError, enroll

    state = load_agent_state(args.config)
    if state is None:
        return EXIT_ERROR
    server = state.config.server
    updates = {"url": args.server} if args.server else {}
    if args.token:
        updates["enrollment_token"] = args.token
    if args.insecure:
        updates["verify_tls"] = False
    server = server.model_validate({**server.model_dump(), **updates})
    ledger = state.config.ledger.model_dump()
    ledger.update({k: getattr(args, k) for k in LEDGER_FLAGS if getattr(args, k)})
    try:
        creds = enroll(state.home, server, ledger)
    except EnrollmentError as exc:
        print(_("Enrollment failed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_ERROR
    print(
        _("Enrolled with {server}; device token stored in {home}.").format(
            server=creds.server_url, home=state.home
        )
    )
    return EXIT_CLEAN
