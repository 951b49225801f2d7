"""{% notice_flags %}: overdue and due-soon cases on the overview (bureau) / home (school)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

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


ACTION_LABELS = {
    "opened": _("Case opened"),
    "located": _("Device(s) and person locked"),
    "report_edited": _("Written report edited"),
    "reported": _("Written report submitted"),
    "returned": _("Report returned by the bureau"),
    "closed": _("Case closed"),
}


@register.filter
def action_label(action: str) -> str:
    """The words for a recorded case event."""
    return str(ACTION_LABELS.get(action, action))


@register.filter
def state_label(state: str) -> str:
    from collector_server.notices.models import CaseState

    return str(CaseState(state).label) if state in CaseState.values else state


@register.simple_tag
def repeat_cases(device) -> int:
    """How many cases locked ``device``; 2 or more marks a repeat terminal (连续出现挖矿),
    for a badge on ledger rows and device pages."""
    return device.cases.count() if getattr(device, "pk", None) else 0
