"""Template filters for asset facts: {% load assets %}."""

from __future__ import annotations

from django import template

from collector_server.ledger.assets import rule_title as _rule_title

register = template.Library()


@register.filter
def rule_title(rule) -> str:
    """The readable title of an agent rule id, or "" when unknown."""
    return _rule_title(rule)
