"""`minecheck` command line. Subcommands live in their own modules and are imported lazily,
so `minecheck --version` starts fast.

A subcommand module ``agent.cli.<name>`` provides:
    def add_arguments(parser: argparse.ArgumentParser) -> None
    def run(args: argparse.Namespace) -> int
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from agent import __version__
from agent.i18n import N_, _, set_language, system_language
from agent.paths import ENV_HOME

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

# name -> help msgid; the module agent.cli.<module> implements it.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("scan", N_("Check this computer for cryptocurrency mining and write a report")),
    "inventory": ("inventory", N_("Show this computer's hardware inventory")),
    "signatures": ("signatures", N_("Show, verify or import signature bundles")),
    "enroll": ("enroll", N_("Register this computer with the bureau's collector")),
    "upload": ("upload", N_("Send the reports waiting in the spool to the collector")),
    "run": ("run", N_("Scheduled mode: scan regularly and upload (what the service runs)")),
    "service": ("service", N_("Install, remove or show the boot-time service")),
    "update-signatures": (
        "update_signatures",
        N_("Fetch a newer signed signature bundle from the collector"),
    ),
}


def _language_from_argv(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return system_language()


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="minecheck",
        description=_("minecheck: finds cryptocurrency mining on this computer."),
    )
    parser.add_argument("--version", action="version", version=f"minecheck {__version__}")
    parser.add_argument(
        "--lang", choices=["zh", "en"], help=_("Language of messages and reports (default: system)")
    )
    parser.add_argument("--verbose", "-v", action="store_true", help=_("Print debug logging"))
    parser.add_argument(
        "--home", metavar="DIR", help=_("Folder for configuration, token, spool and signatures")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if a in SUBCOMMANDS), None)
    for name, (module, help_msgid) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=_(help_msgid))
        p.add_argument("--lang", choices=["zh", "en"], help=argparse.SUPPRESS)
        if wanted is None or wanted == name:
            # Only import the module of the command being run (fast start-up).
            importlib.import_module(f"agent.cli.{module}").add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # answered before any import a subcommand needs
        print(f"minecheck {__version__}")
        return EXIT_CLEAN
    set_language(_language_from_argv(argv))
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if getattr(args, "verbose", False):
        import logging

        logging.basicConfig(level=logging.DEBUG)
    if getattr(args, "home", None):
        os.environ[ENV_HOME] = str(Path(args.home).expanduser().resolve())
    if not args.command:
        return _no_command(parser)
    try:
        module = importlib.import_module(f"agent.cli.{SUBCOMMANDS[args.command][0]}")
        return int(module.run(args))
    except KeyboardInterrupt:
        print(_("Interrupted."), file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - a crash is an error (exit 2), never "clean"
        import traceback

        traceback.print_exc(file=sys.stderr)
        print(
            _("minecheck failed and did not finish the check: {error}").format(
                error=f"{type(exc).__name__}: {exc}"
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR


def load_agent_state(config: Path | None):
    """The agent's configuration, home folder and credentials; None (after saying why on
    stderr) when the configuration cannot be used."""
    from agent.config import ConfigError
    from agent.transport.agent_state import AgentState

    try:
        return AgentState.load(config)
    except (ConfigError, ValueError, OSError) as exc:
        print(_("Configuration error: {error}").format(error=exc), file=sys.stderr)
        return None


def _no_command(parser: argparse.ArgumentParser) -> int:
    """No arguments: the double-click self-check where it exists, else help."""
    try:
        selfcheck = importlib.import_module("agent.cli.selfcheck")
    except ModuleNotFoundError:
        parser.print_help()
        return EXIT_CLEAN
    return int(selfcheck.run_selfcheck())
