"""`minecheck update-signatures`: fetch a newer signed bundle from the collector now, or show
what the last check did (--status)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent.cli import EXIT_CLEAN, EXIT_ERROR, load_agent_state
from agent.i18n import N_, _

STATUS_TEXT = {
    "updated": N_("Signature bundle {version} installed."),
    "up_to_date": N_("Signature bundle {version} is up to date."),
    "none_published": N_("The collector has published no signature bundle; using {version}."),
    "refused": N_("The offered signature bundle was refused; the bundle in use was kept."),
    "unreachable": N_("Collector not reachable; still using signature bundle {version}."),
    "not_enrolled": N_("Not enrolled yet: run `minecheck enroll` first."),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))
    parser.add_argument(
        "--status", action="store_true", help=_("Only show the result of the last check")
    )


def describe(result) -> str:
    text = _(STATUS_TEXT.get(result.status, result.status)).format(version=result.version)
    if result.message and result.status not in ("up_to_date",):
        text += "\n" + _("Reason: {reason}").format(reason=result.message)
    return text


def run(args: argparse.Namespace) -> int:
    from agent.transport.bundle_update import installed_version, load_state, update

    state = load_agent_state(args.config)
    if state is None:
        return EXIT_ERROR
    if args.status:
        last = load_state(state.home)
        print(
            _("Signature bundle installed from the collector: {version}").format(
                version=installed_version(state.home)
            )
        )
        if last is None:
            print(_("No update check has run yet."))
            return EXIT_CLEAN
        print(describe(last))
        return EXIT_CLEAN if last.ok else EXIT_ERROR
    result = update(state)
    print(describe(result), file=sys.stdout if result.ok else sys.stderr)
    return EXIT_CLEAN if result.ok else EXIT_ERROR
