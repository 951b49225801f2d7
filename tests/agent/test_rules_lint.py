"""Lint of the shipped YARA rules: complete meta, scope discipline (memory rules use no
header, filesize or offset), unique names, and the lint itself catching bad rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yara

from agent.bundle.rules import REQUIRED_META, lint_meta, lint_sources, parse_rules

ROOT = Path(__file__).resolve().parents[2]
YARA_DIR = ROOT / "signatures" / "yara"


def _sources(scope: str) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((YARA_DIR / scope).glob("*.yar"))}


@pytest.mark.parametrize("scope", ["file", "memory"])
def test_shipped_rules_pass_the_lint(scope: str) -> None:
    sources = _sources(scope)
    assert sources, f"no {scope} rules shipped"
    assert lint_sources(scope, sources) == []
    rules = yara.compile(sources=sources, error_on_warning=True)
    assert lint_meta(scope, rules) == []
    for rule in rules:
        assert set(REQUIRED_META) <= set(rule.meta), rule.identifier
        assert rule.meta["scope"] == scope


def test_memory_rules_have_no_header_size_or_offset_terms() -> None:
    for name, text in _sources("memory").items():
        for rule in parse_rules(text, name):
            for word in ("uint16", "uint32", "filesize", " at ", " in ", "entrypoint"):
                assert word not in f" {rule.condition} ", (rule.name, word)


def test_file_miner_rules_anchor_on_an_executable_header_and_size() -> None:
    for name, text in _sources("file").items():
        for rule in parse_rules(text, name):
            assert "uint16(0)" in rule.condition or "uint32(0)" in rule.condition, rule.name
            assert "filesize" in rule.condition, rule.name


def test_rule_names_are_unique_across_scopes() -> None:
    names = [
        r.name
        for s in ("file", "memory")
        for t in _sources(s).values()
        for r in parse_rules(t, "x")
    ]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "condition",
    [
        "uint16(0) == 0x5A4D and $a",
        "$a and filesize < 10MB",
        "$a at 0",
        "$a in (0..1024)",
        "uint32be(0) == 1 or $a",
    ],
)
def test_lint_rejects_file_only_terms_in_memory_rules(condition: str) -> None:
    text = 'rule bad { meta: family = "x" strings: $a = "abc" condition: ' + condition + " }"
    problems = lint_sources("memory", {"bad.yar": text})
    assert problems and "memory rule bad" in problems[0]
    # The same rule is fine in file scope.
    assert lint_sources("file", {"bad.yar": text}) == []


def test_lint_ignores_keywords_inside_strings_and_comments() -> None:
    text = (
        "// filesize at uint16(0) in a comment\n"
        'rule ok { strings: $a = "filesize at in" $r = /at in/ condition: $a and $r }'
    )
    assert lint_sources("memory", {"ok.yar": text}) == []


def test_lint_meta_reports_missing_and_wrong_values() -> None:
    rules = yara.compile(
        source=(
            'rule m1 { meta: family = "f" kind = "miner_software" severity = "high" '
            'scope = "memory" description_zh = "z" description_en = "e" condition: false }\n'
            'rule m2 { meta: family = "f" condition: false }\n'
            'rule m3 { meta: family = "f" kind = "virus" severity = "huge" scope = "memory" '
            'description_zh = "z" description_en = "e" condition: false }'
        )
    )
    problems = lint_meta("file", rules)
    assert any("m1" in p and "scope" in p for p in problems)
    assert any("m2" in p and "lacks" in p for p in problems)
    assert any("m3" in p and "kind" in p for p in problems)
    assert any("m3" in p and "severity" in p for p in problems)
