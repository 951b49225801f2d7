"""Who may change what on the dashboard (thin wrappers over accounts.scoping)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from collector_server.accounts.scoping import can_edit_ledger
from collector_server.ledger.models import Organisation


def require_edit(user, organisation: Organisation) -> None:
    """Raise 403 unless ``user`` may edit ledger data of ``organisation`` (already visible)."""
    if not can_edit_ledger(user, organisation):
        raise PermissionDenied
