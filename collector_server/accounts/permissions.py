"""Who may do what: ledger edits, administration, bureau-only pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from collector_server.accounts.models import ADMIN_ROLES, EDITING_ROLES, Role
from collector_server.accounts.scoping import user_profile
from collector_server.ledger.models import Organisation

BUREAU_ROLES = {Role.bureau_admin, Role.bureau_staff}


def can_edit_ledger(user, organisation: Organisation | None = None) -> bool:
    """May ``user`` change ledger fields (of devices in ``organisation``)?"""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    profile = user_profile(user)
    if profile is None or profile.role not in EDITING_ROLES:
        return False
    return organisation is None or organisation.path.startswith(profile.organisation.path)


def can_administer(user) -> bool:
    """May ``user`` manage organisations, tokens and users (bureau administrators)?"""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    profile = user_profile(user)
    return profile is not None and profile.role in ADMIN_ROLES


def require_edit(user, organisation: Organisation) -> None:
    """Raise 403 unless ``user`` may edit ledger data of ``organisation`` (already visible)."""
    if not can_edit_ledger(user, organisation):
        raise PermissionDenied


def bureau_only(view):
    """Sign-in required, and a bureau role (or superuser), else 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        profile = user_profile(request.user)
        if not request.user.is_superuser and (profile is None or profile.role not in BUREAU_ROLES):
            raise PermissionDenied(_("Only bureau staff may do this."))
        return view(request, *args, **kwargs)

    return wrapper
