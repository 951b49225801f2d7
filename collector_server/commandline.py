"""What the collector's management commands share: base class, user errors, lookups.

`minecheck-server <cmd>` and `minecheck-server manage <cmd>` run the same Django management
command (collector_server/cli.py is only a front that reads `--data` and starts Django).
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

KINDS = ("province", "city", "county", "culture", "school", "cafe")
ROLES = ("bureau_admin", "bureau_staff", "school_staff", "viewer")


class CLIError(CommandError):
    """A user error: printed without a traceback as `minecheck-server: ...`, exit code 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


class CollectorCommand(BaseCommand):
    """A collector command: `run` returns its exit status; a CLIError is exit status 2."""

    requires_system_checks: list[str] = []  # `manage check` runs them; commands stay fast

    def handle(self, *args, **options) -> None:
        try:
            status = self.run(**options)
        except CLIError as exc:
            if not self._called_from_command_line:
                raise
            print(f"minecheck-server: {exc}", file=sys.stderr)
            sys.exit(exc.returncode)
        if status:
            if not self._called_from_command_line:
                raise CommandError(f"exit status {status}", returncode=status)
            sys.stdout.flush()
            sys.exit(status)

    def run(self, **options) -> int:
        """The command itself; returns its exit status."""
        raise NotImplementedError


def migrate(verbosity: int = 0) -> None:
    """Apply the migrations (init, run and demo do it before anything else)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def find_org(ref: str):
    """An organisation by id or by (unique) name."""
    from collector_server.ledger.models import Organisation

    if ref.isdigit():
        org = Organisation.objects.filter(pk=int(ref)).first()
        if org:
            return org
    matches = list(Organisation.objects.filter(name=ref))
    if not matches:
        raise CLIError(f"no organisation named {ref!r} (see `minecheck-server org list`)")
    if len(matches) > 1:
        ids = ", ".join(str(o.pk) for o in matches)
        raise CLIError(f"several organisations are named {ref!r}; use the id ({ids})")
    return matches[0]
