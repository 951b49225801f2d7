"""Turning YARA matches into a finding's strength, families, rules and evidence (shared by
the file, folder and memory scanners)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.wire.report import Strength

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle


def rule_strength(bundle: LoadedBundle, rule: str) -> tuple[Strength, dict]:
    """Strong unless the rule's metadata says severity low/info; and that metadata."""
    try:
        meta = dict(bundle.rule_meta(rule) or {})
    except Exception:  # noqa: BLE001 - missing metadata is not fatal
        meta = {}
    weak = str(meta.get("severity", "")).lower() in ("low", "info")
    return (Strength.weak if weak else Strength.strong), meta


def grouped(
    bundle: LoadedBundle, matches: dict[str, list[str]]
) -> tuple[Strength, str, str, list[str]]:
    """One finding's worth of YARA matches: strength, families (specific first), rules,
    evidence."""
    specific: list[str] = []
    generic: list[str] = []
    strength = Strength.weak
    evidence: list[str] = []
    for rule, strings in matches.items():
        st, meta = rule_strength(bundle, rule)
        if st == Strength.strong:
            strength = Strength.strong
        family = str(meta.get("family") or rule)
        target = generic if str(meta.get("kind", "")).startswith("generic") else specific
        if family not in target:
            target.append(family)
        evidence += [f"{rule}: {x}" for x in strings[:3]]
    families = specific + generic
    text = ", ".join(families[:4]) + (f" (+{len(families) - 4})" if len(families) > 4 else "")
    return strength, text, ", ".join(sorted(matches)), evidence[:20]


def rules_id(bundle: LoadedBundle) -> str:
    """The key compiled rules are cached under (their content hash)."""
    return str(bundle.rules_sha256 or id(bundle.file_rules))
