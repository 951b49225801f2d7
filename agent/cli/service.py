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
            where = service.install(home)
            print(
                _("Service installed ({where}); it scans at boot and on schedule.").format(
                    where=where
                )
            )
        elif args.action == "uninstall":
            service.uninstall()
            print(_("Service removed."))
        else:
            st = service.status()
            state = _("installed") if st.installed else _("not installed")
            print(f"{service.SERVICE_NAME}: {state} {st.detail}")
            return EXIT_CLEAN if st.installed else EXIT_ERROR
    except OSError as exc:
        print(_("Service command failed: {error}").format(error=exc), file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN
