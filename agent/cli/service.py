"""`minecheck service install|uninstall|status`: start scheduled mode at boot."""

from __future__ import annotations

import argparse
import os
import sys

from agent.cli import EXIT_CLEAN, EXIT_ERROR
from agent.i18n import _


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["install", "uninstall", "status"])


def run(args: argparse.Namespace) -> int:
    from agent.paths import ENV_HOME, home_dir
    from agent.platform import is_privileged
    from agent.runner import service

    if args.action != "status" and not is_privileged():
        print(_("Installing a service needs administrator/root rights."), file=sys.stderr)
        return EXIT_ERROR
    try:
        if args.action == "install":
            home = home_dir() if os.environ.get(ENV_HOME) else None
            for line in install_lines(service.install(home)):
                print(line)
        elif args.action == "uninstall":
            change = service.uninstall()
            print(_("Service removed ({where}).").format(where=change.where))
            if change.program:
                print(_("Removed the installed program {path}.").format(path=change.program))
            for path in change.left_behind:
                print(
                    _(
                        "Could not remove {path} (it is in use): delete it by hand after "
                        "the next restart."
                    ).format(path=path),
                    file=sys.stderr,
                )
        else:
            st = service.status()
            state = _("installed") if st.installed else _("not installed")
            print(f"{service.SERVICE_NAME}: {state} {st.detail}")
            return EXIT_CLEAN if st.installed else EXIT_ERROR
    except OSError as exc:
        print(_("Service command failed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN


def install_lines(change) -> list[str]:
    """What ``service install`` did, one sentence a line."""
    lines = []
    if change.copied_from:
        lines.append(
            _("Copied the program from {source} to {target}; the service runs that copy.").format(
                source=change.copied_from, target=change.program
            )
        )
    lines.append(
        _("Service installed ({where}); it scans at boot and on schedule.").format(
            where=change.where
        )
    )
    if change.started:
        lines.append(_("The service was started now: the first check runs within a few minutes."))
    else:
        lines.append(
            _(
                "The service could not be started now; it starts at the next restart. "
                "To start it now: schtasks /Run /TN {name}"
            ).format(name=change.where)
        )
    return lines
