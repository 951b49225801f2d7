"""Template filters for asset facts: {% load assets %}."""

from __future__ import annotations

import re

from django import template
from django.utils.translation import gettext as _

from collector_server.ledger.assets import rule_title as _rule_title

register = template.Library()


@register.filter
def rule_title(rule) -> str:
    """The readable title of an agent rule id, or "" when unknown."""
    return _rule_title(rule)


_PID = re.compile(r"\(pid (\d+)\)")


@register.filter
def readable_subject(summary) -> str:
    """A stored finding subject ("svchost.exe (pid 4000) · C:\\…") with its process id
    labelled in the reader's language instead of the raw key "pid"."""
    return _PID.sub(
        lambda m: "(" + _("PID %(pid)s") % {"pid": m.group(1)} + ")", str(summary or "")
    )
