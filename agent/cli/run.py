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


def run(args: argparse.Namespace) -> int:
    from agent.runner.budget import Budget
    from agent.runner.loop import run_cycle, run_forever

    state = load_agent_state(args.config)
    if state is None:
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
