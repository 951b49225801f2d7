"""Row-level visibility: every query of devices or organisations (API, pages, exports)
goes through these helpers, so a school user never sees another school's rows.

A superuser sees everything. Any other user sees their profile's organisation and all of
its descendants (bureau staff: their county; school staff: their school). A user without a
profile sees nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from collector_server.accounts.models import ADMIN_ROLES, EDITING_ROLES, Profile
from collector_server.ledger.models import Device, Organisation


def user_profile(user) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def user_org_path(user) -> str | None:
    """The path prefix of what ``user`` may see; '' for everything, None for nothing."""
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return ""
    profile = user_profile(user)
    if profile is None or not user.is_active:
        return None
    return profile.organisation.path


def scope_orgs(qs: QuerySet[Organisation], user) -> QuerySet[Organisation]:
    prefix = user_org_path(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(path__startswith=prefix)


def visible_orgs(user) -> QuerySet[Organisation]:
    """The organisations ``user`` may see."""
    return scope_orgs(Organisation.objects.all(), user)


def scope_devices(qs: QuerySet, user, field: str = "organisation") -> QuerySet:
    """Restrict a queryset of devices to what ``user`` may see.

    For rows that hang off a device (reports, findings) pass ``field='device__organisation'``.
    """
    prefix = user_org_path(user)
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(**{f"{field}__path__startswith": prefix})


def visible_devices(user) -> QuerySet[Device]:
    return scope_devices(Device.objects.all(), user)


def get_device_or_404(user, **lookup) -> Device:
    """The device matching ``lookup`` if ``user`` may see it, else 404 (never 403: no leak)."""
    try:
        return visible_devices(user).select_related("organisation").get(**lookup)
    except (Device.DoesNotExist, ValueError) as exc:
        raise Http404("no such device") from exc


def get_org_or_404(user, **lookup) -> Organisation:
    try:
        return visible_orgs(user).get(**lookup)
    except (Organisation.DoesNotExist, ValueError) as exc:
        raise Http404("no such organisation") from exc


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
