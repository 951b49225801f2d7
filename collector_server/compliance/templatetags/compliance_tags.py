"""`{% due_this_week as due %}`: the home page panel's figures for the signed-in user."""

from __future__ import annotations

from django import template

from collector_server.compliance.due import due_this_week as _due

register = template.Library()


@register.simple_tag(takes_context=True)
def due_this_week(context) -> dict:
    request = context.get("request")
    return _due(request.user) if request is not None else {"items": []}
