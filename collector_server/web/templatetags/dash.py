"""Small template helpers of the dashboard."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from collector_server.ledger.models import Verdict

register = template.Library()


@register.simple_tag
def verdict_badge(verdict: str, mode: str = "") -> str:
    """A coloured label for a verdict (and mining mode)."""
    labels = dict(Verdict.choices)
    label = str(labels.get(verdict or "", verdict))
    if verdict == "mining" and mode == "active":
        label = _("Mining (active)")
    elif verdict == "mining" and mode == "passive":
        label = _("Mining (passive)")
    return format_html('<span class="verdict {}">{}</span>', verdict or "none", label)


@register.filter
def pick(text, lang: str) -> str:
    """The ``lang`` side of a LocalizedText dict {'zh': …, 'en': …} from a raw report."""
    if isinstance(text, dict):
        return text.get("en" if str(lang).startswith("en") else "zh") or text.get("zh") or ""
    return "" if text is None else str(text)


@register.filter
def subject_lines(subject) -> list[tuple[str, str]]:
    """The set fields of a raw finding's subject, as (name, value) pairs."""
    if not isinstance(subject, dict):
        return []
    return [(k, str(v)) for k, v in subject.items() if v not in (None, "", [])]


@register.filter
def gb(mb) -> str:
    try:
        return f"{float(mb) / 1024:.1f} GB"
    except (TypeError, ValueError):
        return ""


@register.filter
def indent(depth) -> str:
    """Non-breaking spaces for an organisation's depth in a <select>."""
    try:
        n = max(int(depth), 0)
    except (TypeError, ValueError):
        n = 0
    return format_html("{}", "\u00a0\u00a0" * n)


@register.filter
def field_label(name: str) -> str:
    """The translated label of a Device field (for the import preview)."""
    from collector_server.ledger.models import Device

    try:
        return str(Device._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - unknown name: show it as is
        return name


@register.filter
def strength_label(value: str) -> str:
    """A finding's strength in the user's language."""
    labels = {"strong": _("strong"), "weak": _("weak"), "info": _("info")}
    return labels.get(value, value)


@register.filter
def mode_label(value: str) -> str:
    """A mining mode (active / passive / undetermined) in the user's language."""
    labels = {
        "active": _("active (user-started)"),
        "passive": _("passive (malware)"),
        "undetermined": _("undetermined"),
    }
    return labels.get(value or "", value or "")
