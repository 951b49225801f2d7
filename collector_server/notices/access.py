"""Who sees and changes which notices and cases (over accounts.scoping: bureau sees every
case under it, a school only its own; anything not visible is a 404)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from collector_server.accounts.models import Role
from collector_server.accounts.permissions import can_edit_ledger
from collector_server.accounts.scoping import user_org_path, user_profile
from collector_server.notices.models import Case, Notice

BUREAU_ROLES = {Role.bureau_admin, Role.bureau_staff}


def is_bureau(user) -> bool:
    """Bureau staff (or a superuser): may register notices and return reports."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    profile = user_profile(user)
    return profile is not None and profile.role in BUREAU_ROLES


def visible_cases(user) -> QuerySet[Case]:
    prefix = user_org_path(user)
    qs = Case.objects.select_related("notice", "organisation")
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(organisation__path__startswith=prefix)


def visible_notices(user) -> QuerySet[Notice]:
    """Notices of the user's organisations, plus those with a case of theirs."""
    prefix = user_org_path(user)
    if prefix is None:
        return Notice.objects.none()
    if prefix == "":
        return Notice.objects.all()
    return Notice.objects.filter(
        Q(organisation__path__startswith=prefix) | Q(cases__organisation__path__startswith=prefix)
    ).distinct()


def get_case_or_404(user, pk: int) -> Case:
    try:
        return visible_cases(user).get(pk=pk)
    except (Case.DoesNotExist, ValueError) as exc:
        raise Http404("no such case") from exc


def get_notice_or_404(user, pk: int) -> Notice:
    try:
        return visible_notices(user).get(pk=pk)
    except (Notice.DoesNotExist, ValueError) as exc:
        raise Http404("no such notice") from exc


def require_bureau(user) -> None:
    if not is_bureau(user):
        raise PermissionDenied


def require_case_edit(user, case: Case) -> None:
    """403 unless ``user`` may act on ``case`` (editing role within its organisation)."""
    if not can_edit_ledger(user, case.organisation):
        raise PermissionDenied


def match_scope(user, notice: Notice):
    """The matches of ``notice`` the user may see."""
    from collector_server.notices.models import Match

    prefix = user_org_path(user)
    qs = Match.objects.select_related("organisation", "device", "indicator").filter(
        indicator__notice=notice
    )
    if prefix is None:
        return qs.none()
    return qs if prefix == "" else qs.filter(organisation__path__startswith=prefix)
