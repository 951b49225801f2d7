"""Who may see and change what: built on accounts.scoping (404 outside one's scope)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from collector_server.accounts.models import Role
from collector_server.accounts.permissions import can_edit_ledger
from collector_server.accounts.scoping import user_profile, visible_orgs
from collector_server.ledger.models import Organisation, OrgKind

from .models import Person, Pledge, WeeklyReview

UNIT_KINDS = (OrgKind.school, OrgKind.cafe)
BUREAU_ROLES = {Role.bureau_admin, Role.bureau_staff}


def is_bureau(user) -> bool:
    """Bureau staff (or a superuser): sets deadlines, writes and locks weekly reviews."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    profile = user_profile(user)
    return profile is not None and profile.role in BUREAU_ROLES


def visible_people(user) -> QuerySet[Person]:
    return Person.objects.filter(organisation__in=visible_orgs(user))


def visible_pledges(user) -> QuerySet[Pledge]:
    return Pledge.objects.filter(organisation__in=visible_orgs(user))


def visible_reviews(user) -> QuerySet[WeeklyReview]:
    return WeeklyReview.objects.filter(organisation__in=visible_orgs(user))


def units(user) -> QuerySet[Organisation]:
    """Schools and cafés the user sees (the organisations that have people and pledges)."""
    return visible_orgs(user).filter(kind__in=UNIT_KINDS)


def get_or_404(qs: QuerySet, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError) as exc:
        raise Http404("not found") from exc


def can_edit(user, organisation: Organisation) -> bool:
    return can_edit_ledger(user, organisation)
