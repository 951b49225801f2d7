"""One term for each thing: the zh catalogues and zh docs use the glossary's words only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossary.zh.md"
CATALOGUES = [
    ROOT / "agent/locale/zh_CN/LC_MESSAGES/minecheck.po",
    ROOT / "collector_server/locale/zh_Hans/LC_MESSAGES/django.po",
]


def forbidden_terms(glossary: Path = GLOSSARY) -> dict[str, str]:
    """Pattern of a word not to use -> the term to use instead, from the glossary's table."""
    rules: dict[str, str] = {}
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("术语", "") or set(cells[0]) <= {"-"}:
            continue
        for word in filter(None, (w.strip() for w in cells[3].split("、"))):
            rules[word] = cells[0]
    return rules


def _texts() -> list[tuple[str, str]]:
    found = []
    for po in CATALOGUES:
        with po.open("rb") as fh:
            catalogue = read_po(fh)
        for message in catalogue:
            if message.id and isinstance(message.string, str):
                found.append((f"{po.relative_to(ROOT)}: {str(message.id)[:60]!r}", message.string))
    for doc in sorted((ROOT / "docs").glob("*.zh.md")):
        if doc == GLOSSARY:
            continue
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            found.append((f"{doc.relative_to(ROOT)}:{n}", line))
    return found


def test_the_glossary_has_rules():
    rules = forbidden_terms()
    assert rules["注册令牌"] == "登记令牌" and rules["采集服务器"] == "汇总服务器"
    assert len(rules) >= 10


def test_a_forbidden_variant_is_caught(tmp_path):
    table = (
        "| 术语 | English | 说明 | 不要用 |\n|---|---|---|---|\n"
        "| 登记 | enroll | x | 注册(?!表) |\n"
    )
    (tmp_path / "g.md").write_text(table, encoding="utf-8")
    rules = forbidden_terms(tmp_path / "g.md")
    assert re.search(next(iter(rules)), "请先注册本机")
    assert not re.search(next(iter(rules)), "注册表项")


@pytest.mark.parametrize("pattern", sorted(forbidden_terms()))
def test_no_text_uses_a_word_the_glossary_forbids(pattern):
    use = forbidden_terms()[pattern]
    bad = [where for where, text in _texts() if re.search(pattern, text)]
    assert not bad, f"use {use!r} instead of {pattern!r} in: " + "; ".join(bad[:20])
