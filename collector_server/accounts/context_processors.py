"""What the navigation may show: only the pages the signed-in user's role may use."""

from __future__ import annotations

from django.http import HttpRequest

from collector_server.accounts.permissions import (
    BUREAU_ROLES,
    can_administer,
    can_edit_ledger,
)
from collector_server.accounts.scoping import user_profile


def role_access(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"may": {}}
    profile = user_profile(user)
    superuser = user.is_superuser and user.is_active
    return {
        "may": {
            "bureau": superuser or (profile is not None and profile.role in BUREAU_ROLES),
            "edit": can_edit_ledger(user),
            "administer": can_administer(user),
        }
    }
