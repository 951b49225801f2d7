"""`minecheck-server`: set up, run and administer the collector from the command line.

A thin front over Django's management commands: it reads `--data` (anywhere on the line),
points the settings at that folder, starts Django and runs the command, so
`minecheck-server org list` and `minecheck-server manage org list` are the same code. The
commands live with their apps (`<app>/management/commands/`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from collector_server.commandline import migrate

__all__ = ["COMMANDS", "main", "migrate", "setup_django"]

# The collector's own commands, as `minecheck-server --help` lists them.
COMMANDS = {
    "init": "create the data folder and administrator",
    "run": "serve the collector (waitress)",
    "worker": "run background jobs (huey consumer)",
    "org": "organisation tree (add, list)",
    "token": "enrollment tokens (create, list, revoke, revoke-device)",
    "user": "dashboard users (add, unlock)",
    "ledger": "ledger export/import (XLSX, CSV)",
    "handcarry": "hand-carried report files (import, held, accept, reject)",
    "signatures": "signature bundles for the agents (import, list, pubkey)",
    "devices": "devices of the ledger (stale)",
    "reports": "stored reports (prune: thin those past the retention age)",
    "demo": "demo bureau, school, users and token",
    "manage": "any Django management command (`manage help` lists them)",
}
USAGE = "usage: minecheck-server [--data FOLDER] COMMAND [ARGS...]"


def setup_django(data: str | None) -> None:
    """Point the settings at the data folder, start Django, keep the folder owner-only."""
    if os.name == "posix":
        os.umask(0o077)  # before the settings write the secret key
    if data:
        os.environ["MINECHECK_DATA"] = str(Path(data).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collector_server.settings")
    import django

    django.setup()
    from django.conf import settings

    from collector_server.datafolder import secure_data_folder

    secure_data_folder(settings.DATA_DIR)


def split_data(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take `--data FOLDER` / `--data=FOLDER` out of ``argv`` (the last one wins)."""
    data, rest, items = None, [], iter(argv)
    for item in items:
        if item == "--data":
            data = next(items, None)
            if data is None:
                raise SystemExit("minecheck-server: --data needs a folder")
        elif item.startswith("--data="):
            data = item.partition("=")[2]
        else:
            rest.append(item)
    return data, rest


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [USAGE, "", __doc__.splitlines()[0], "", "commands:"]
    lines += [f"  {name:<{width}}  {text}" for name, text in COMMANDS.items()]
    lines += [
        "",
        "--data FOLDER: data folder (default: $MINECHECK_DATA or ./data)",
        "`minecheck-server COMMAND --help` shows a command's options.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    data, rest = split_data(list(sys.argv[1:] if argv is None else argv))
    if not rest or rest[0] in ("-h", "--help"):
        print(usage())
        return 0 if rest else 2
    if rest[0] == "manage":
        rest = rest[1:]
        prog = "minecheck-server manage"
    else:
        prog = "minecheck-server"
    setup_django(data or os.environ.get("MINECHECK_DATA"))
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line([prog, *rest])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
