"""`minecheck run`: scheduled mode (long-running; what the service starts)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from agent.cli import EXIT_CLEAN, EXIT_ERROR, load_agent_state
from agent.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help=_("Configuration file (minecheck.toml)"))
    parser.add_argument(
        "--once", action="store_true", help=_("Run one supervised scan and upload, then exit")
    )


def not_enrolled_message(config: Path | None) -> str:
    """Why scheduled mode does not start on a computer that is not enrolled, and what to do."""
    from agent import paths
    from agent.config import candidate_paths

    searched = "; ".join(str(p) for p in candidate_paths(config))
    return _(
        "This computer is not enrolled, so scheduled checks could not upload anything; "
        "scheduled mode does not start. Configuration files looked for: {searched}. "
        "Enroll first: `minecheck enroll --server <collector address> --token <enrollment "
        "token>` (or put [server] url and enrollment_token in minecheck.toml and run "
        "`minecheck enroll`); the device token is then kept in {home}."
    ).format(searched=searched, home=paths.home_dir())


def run(args: argparse.Namespace) -> int:
    from agent.runner.budget import Budget
    from agent.runner.loop import run_cycle, run_forever

    state = load_agent_state(args.config)
    if state is None:
        return EXIT_ERROR
    if state.creds is None:
        print(not_enrolled_message(args.config), file=sys.stderr)
        return EXIT_ERROR
    if args.once:
        cycle = run_cycle(state, Budget())
        # The worker says 0 clean, 1 findings; anything else (2 error or incomplete, a
        # crash, a kill) means this machine was not checked.
        return EXIT_CLEAN if cycle.result.returncode in (0, 1) else EXIT_ERROR
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: stop.set())
    print(_("minecheck is running in scheduled mode; press Ctrl-C to stop."), file=sys.stderr)
    run_forever(state, stop)
    return EXIT_CLEAN
