"""{% notice_flags %}: overdue and due-soon cases on the overview (bureau) / home (school)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("notices/flags.html", takes_context=True)
def notice_flags(context) -> dict:
    from collector_server.notices.access import visible_cases
    from collector_server.notices.case_views import annotate
    from collector_server.notices.models import CaseState

    user = context["request"].user
    open_cases = visible_cases(user).filter(state__in=[CaseState.received, CaseState.located])
    flagged = [c for c in annotate(open_cases[:1000]) if c.flag]
    flagged.sort(key=lambda c: (c.flag != "overdue", c.due))
    return {"flagged": flagged, "request": context["request"]}
