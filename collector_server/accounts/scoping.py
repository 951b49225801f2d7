"""Row-level visibility: every query of devices or organisations (API, pages, exports)
goes through these helpers, so a school user never sees another school's rows.

A superuser sees everything. Any other user sees their profile's organisation and all of
its descendants (bureau staff: their county; school staff: their school). A user without a
profile sees nothing.

Two regulators (issue 15): the education bureau (kind ``county``) has the schools under it;
the culture and tourism bureau (kind ``culture``, 文广旅体局) sits beside it under their
common parent and has the internet cafés under it. So each bureau's users see only their
own units (ledger, findings, cases, people, pledges, reviews, exports, API), and a user who
must see both is given the common parent as their organisation. Cafés belong under the
culture bureau: one placed under an education bureau is seen by that bureau.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from collector_server.accounts.models import Profile
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


def scope_devices(
    qs: QuerySet, user, field: str = "organisation", below: Organisation | None = None
) -> QuerySet:
    """Restrict ``qs`` (devices, or rows hanging off a device) to what ``user`` may see.

    The one scoping function of the collector. For rows that hang off a device (reports,
    findings) pass ``field='device__organisation'``; ``below`` narrows to an organisation
    already checked to be visible (get_org_or_404). It filters on the organisation ids, not
    a join on the path, so the databases walk the (organisation, hostname) index in order;
    when the scope covers every organisation there is no filter at all. Organisation trees
    are small (a county: hundreds of schools), so the id list is cheap.
    """
    prefix = user_org_path(user)
    if prefix is None:
        return qs.none()
    if below is not None:
        prefix = below.path
    if prefix in ("", "/"):
        return qs
    orgs = Organisation.objects.using(qs.db)  # the database ``qs`` reads
    ids = list(orgs.filter(path__startswith=prefix).values_list("pk", flat=True))
    if len(ids) == orgs.count():
        return qs
    return qs.filter(**{f"{field}_id__in": ids})


def get_device_or_404(user, **lookup) -> Device:
    """The device matching ``lookup`` if ``user`` may see it, else 404 (never 403: no leak)."""
    try:
        devices = scope_devices(Device.objects.all(), user)
        return devices.select_related("organisation").get(**lookup)
    except (Device.DoesNotExist, ValueError) as exc:
        raise Http404("no such device") from exc


def get_org_or_404(user, **lookup) -> Organisation:
    try:
        return visible_orgs(user).get(**lookup)
    except (Organisation.DoesNotExist, ValueError) as exc:
        raise Http404("no such organisation") from exc
