"""What is due this week for a user (the home page panel): counts that link to the lists."""

from __future__ import annotations

from django.urls import reverse

from collector_server.accounts.scoping import scope_devices, user_org_path, visible_orgs

SILENT_CACHE_SECONDS = 60


def overdue_cases(user) -> list:
    """Open cases in the user's scope past their 48 h / 72 h deadline."""
    from collector_server.notices.models import Case, CaseState
    from collector_server.notices.services import deadline_flag

    cases = (
        Case.objects.filter(organisation__in=visible_orgs(user))
        .exclude(state=CaseState.closed)
        .select_related("organisation", "notice")
    )
    return [c for c in cases if deadline_flag(c) == "overdue"]


def due_this_week(user) -> dict:
    """Counts of what is due, each with the URL of the list it comes from."""
    from django.core.cache import cache

    from collector_server.ledger.models import Device
    from collector_server.ledger.stale import stale_devices

    from .access import is_bureau, visible_people
    from .pledges import needs_pledge
    from .review import previous_week, reviews_not_done

    if not getattr(user, "is_authenticated", False):
        return {"items": []}
    week = previous_week()
    silent_key = f"compliance-due-silent:{user_org_path(user)}"
    silent = cache.get(silent_key)
    if silent is None:  # a count over every device in scope: cached like the overview's
        silent = stale_devices(scope_devices(Device.objects.all(), user)).count()
        cache.set(silent_key, silent, SILENT_CACHE_SECONDS)
    items = [
        {
            "key": "pledges_missing",
            "count": needs_pledge(visible_people(user)).count(),
            "url": reverse("compliance:people") + "?pledge=missing",
        },
        {
            "key": "cases_overdue",
            "count": len(overdue_cases(user)),
            "url": reverse("compliance:overdue_cases"),
        },
        {"key": "devices_silent", "count": silent, "url": reverse("ledger:stale")},
    ]
    if is_bureau(user):
        items.append(
            {
                "key": "review_not_done",
                "count": reviews_not_done(visible_orgs(user), week),
                "url": reverse("compliance:reviews") + f"?week={week}",
            }
        )
    return {"items": items, "week": week, "total": sum(i["count"] for i in items)}
