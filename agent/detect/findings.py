"""Building findings: one helper so every scanner fills subject, rule, version and action."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from agent.i18n import localized
from agent.report.sanitize import printable
from agent.wire.report import Finding, Strength, Subject

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle


def make_finding(
    kind: str,
    strength: Strength,
    title: str,
    action: str,
    *,
    detail: str | None = None,
    params: dict[str, Any] | None = None,
    subject: Subject | None = None,
    rule: str | None = None,
    evidence: list[str] | None = None,
    passive_hint: bool | None = None,
    bundle: LoadedBundle | None = None,
    weight: float | None = None,
    weak_action: str | None = None,
) -> Finding:
    """A finding whose title/detail/action are msgids (marked with N_) filled from ``params``.

    ``weak_action`` replaces ``action`` when the strength is weak (call sites whose strength
    is decided at run time): a weak finding never tells to end a program or delete a file,
    since the summary above it says not to yet (tests/agent/test_weak_finding_actions.py).
    Every OS string (params, subject, evidence) passes through :func:`printable` here."""
    if strength == Strength.weak and weak_action is not None:
        action = weak_action
    p = {k: _safe(v) for k, v in (params or {}).items()}
    return Finding(
        kind=kind,
        strength=strength,
        weight=weight if weight is not None else _WEIGHTS[strength],
        passive_hint=passive_hint,
        title=localized(title, **p),
        detail=localized(detail, **p) if detail else None,
        action=localized(action, **p),
        subject=_safe_subject(subject or Subject()),
        rule=rule,
        signature_version=bundle.version if bundle is not None else None,
        evidence=[_clip(printable(e)) for e in (evidence or [])][:20],
    )


def _safe(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    return printable(value)


def _safe_subject(subject: Subject) -> Subject:
    update = {
        name: printable(value)
        for name, value in subject.__dict__.items()
        if isinstance(value, str) and printable(value) != value
    }
    return subject.model_copy(update=update) if update else subject


_WEIGHTS = {Strength.strong: 10.0, Strength.weak: 3.0, Strength.info: 0.0}


def _clip(text: str, limit: int = 300) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
