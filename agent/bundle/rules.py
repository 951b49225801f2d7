"""YARA rules of a bundle: lint (meta fields, memory-scope restrictions), compilation and the
on-disk cache of compiled rules keyed by the content hash (a scan never recompiles
unchanged rules)."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yara

log = logging.getLogger(__name__)

SCOPES = ("file", "memory")
KINDS = ("miner_software", "malware", "generic")
SEVERITIES = ("high", "medium", "low")
REQUIRED_META = ("family", "kind", "severity", "scope", "description_zh", "description_en")
# Tokens that mean nothing in a process's memory: headers, sizes, offsets, PE/ELF modules.
MEMORY_FORBIDDEN = re.compile(
    r"(?<![$#@!\w])(u?int(?:8|16|32)(?:be)?|filesize|entrypoint|at|in|pe|elf|dotnet|math)\b"
)
EMPTY_RULES_SOURCE = "rule minecheck_no_rules { condition: false }"

compile_calls = 0  # how many times rules were compiled in this process (tests count it)
_memo: dict[str, yara.Rules] = {}


class RuleError(Exception):
    """A rule breaks the lint (meta fields, memory-scope restrictions)."""


@dataclass(frozen=True)
class RuleText:
    """One rule as written: its name, the file it is in, the condition and imports."""

    name: str
    path: str
    condition: str
    imports: tuple[str, ...]


def _blank_literals(text: str) -> str:
    """Text with comments removed and the insides of strings and regexes blanked out,
    keeping offsets, so braces and keywords inside them are not mistaken for code."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        two = text[i : i + 2]
        if two == "//":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif two == "/*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"' or (c == "/" and _regex_may_start(text, i)):
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _regex_may_start(text: str, i: int) -> bool:
    before = text[:i].rstrip()
    return before.endswith("=") or before.endswith("matches")


def parse_rules(text: str, path: str) -> list[RuleText]:
    """Rules in one .yar file (name, condition, imports) for the lint."""
    code = _blank_literals(text)
    imports = tuple(re.findall(r'^\s*import\s+"(\w+)"', text, re.M))
    rules = []
    for header in re.finditer(r"\brule\s+(\w+)[^{]*\{", code):
        cond = re.compile(r"\bcondition\s*:").search(code, header.end())
        if cond is None:
            continue
        end = code.find("}", cond.end())
        rules.append(RuleText(header.group(1), path, code[cond.end() : end], imports))
    return rules


def lint_sources(scope: str, sources: Mapping[str, str]) -> list[str]:
    """Problems in the rule texts of one scope (English, one line each); [] when fine."""
    problems: list[str] = []
    for path, text in sources.items():
        parsed = parse_rules(text, path)
        if not parsed and "rule" in text:
            problems.append(f"{path}: no rule with a condition found")
        for rule in parsed:
            if scope == "memory":
                bad = MEMORY_FORBIDDEN.search(rule.condition)
                if bad:
                    problems.append(
                        f"{path}: memory rule {rule.name} uses {bad.group(1)!r}, which does not"
                        " exist in a process's memory"
                    )
                if set(rule.imports) & {"pe", "elf", "dotnet", "math"}:
                    problems.append(f"{path}: memory rules must not import file modules")
    return problems


def lint_meta(scope: str, rules: yara.Rules) -> list[str]:
    """Problems in the meta of compiled rules: missing fields, bad values, wrong scope."""
    problems: list[str] = []
    for rule in rules:
        meta = rule.meta
        missing = [k for k in REQUIRED_META if not str(meta.get(k, "")).strip()]
        if missing:
            problems.append(f"rule {rule.identifier}: meta lacks {', '.join(missing)}")
            continue
        if meta["kind"] not in KINDS:
            problems.append(f"rule {rule.identifier}: kind must be one of {', '.join(KINDS)}")
        if meta["severity"] not in SEVERITIES:
            problems.append(
                f"rule {rule.identifier}: severity must be one of {', '.join(SEVERITIES)}"
            )
        if meta["scope"] != scope:
            problems.append(
                f"rule {rule.identifier}: scope {meta['scope']!r} in the {scope} folder"
            )
    return problems


def sources_key(sources: Mapping[str, str]) -> str:
    """Content hash of a set of rule sources (and of the YARA version that compiles them)."""
    h = hashlib.sha256(f"yara {yara.YARA_VERSION}\n".encode())
    for name in sorted(sources):
        data = sources[name].encode("utf-8")
        h.update(f"{name}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def compile_sources(sources: Mapping[str, str]) -> yara.Rules:
    """Compile (one namespace per file); raises yara.SyntaxError / yara.Error."""
    global compile_calls
    compile_calls += 1
    if not sources:
        return yara.compile(source=EMPTY_RULES_SOURCE)
    return yara.compile(sources=dict(sources), includes=False)


def cached_rules(
    scope: str, sources: Mapping[str, str], cache_dir: Path | None
) -> yara.Rules | None:
    """Rules compiled earlier from exactly ``sources`` (this process, else the disk cache).

    Only rules that passed :func:`compile_checked` are ever cached, so a hit is valid."""
    key = sources_key(sources)
    cached = cache_dir / f"{scope}-{key}.yarc" if cache_dir else None
    rules = _memo.get(key)
    if rules is not None:
        if cached is not None and not cached.is_file():
            _save(rules, cached)
        return rules
    if cached is not None and cached.is_file():
        try:
            rules = yara.load(str(cached))
        except yara.Error as exc:
            log.warning("compiled rules cache %s unreadable (%s); recompiling", cached, exc)
            with contextlib.suppress(OSError):
                cached.unlink()
            return None
        _memo[key] = rules
    return rules


def compile_checked(scope: str, sources: Mapping[str, str], cache_dir: Path | None) -> yara.Rules:
    """Lint, compile and check the meta of ``sources``, then cache the result (atomic rename).

    Raises RuleError (lint or meta problem) or yara.Error (does not compile)."""
    problems = lint_sources(scope, sources)
    if problems:
        raise RuleError(problems[0])
    rules = compile_sources(sources)
    problems = lint_meta(scope, rules) if sources else []
    if problems:
        raise RuleError(problems[0])
    key = sources_key(sources)
    _memo[key] = rules
    if cache_dir is not None:
        _save(rules, cache_dir / f"{scope}-{key}.yarc")
    return rules


def load_or_compile(scope: str, sources: Mapping[str, str], cache_dir: Path | None) -> yara.Rules:
    """Compiled rules for ``sources``: from memory, else from the cache file, else checked,
    compiled and saved to the cache."""
    rules = cached_rules(scope, sources, cache_dir)
    return rules if rules is not None else compile_checked(scope, sources, cache_dir)


def _save(rules: yara.Rules, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".yarc", dir=target.parent)
        os.close(fd)
        try:
            rules.save(tmp)
            os.replace(tmp, target)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    except (OSError, yara.Error) as exc:
        log.warning("could not cache compiled rules in %s: %s", target, exc)


def prune_cache(cache_dir: Path, keep: set[str]) -> None:
    """Delete cached compiled rules whose file name is not in ``keep``."""
    if not cache_dir.is_dir():
        return
    for path in cache_dir.glob("*.yarc"):
        if path.name not in keep:
            with contextlib.suppress(OSError):
                path.unlink()


def clear_memory_cache() -> None:
    """Forget compiled rules held in this process (the disk cache stays)."""
    _memo.clear()


_HEADER_TERM = r"uint(16|32)\(0\)\s*==\s*0x([0-9A-Fa-f]+)"
_HEADER_CLAUSE = re.compile(
    rf"^\s*\(?\s*{_HEADER_TERM}(?:\s+or\s+{_HEADER_TERM})*\s*\)?\s+and\b", re.S
)


@dataclass(frozen=True)
class HeaderFilter:
    """The file headers at least one file rule accepts. Valid only when every file rule's
    condition starts with ``(uint16(0) == X or uint32(0) == Y ...) and``: then a file whose
    first bytes are none of these cannot match, and need not be scanned at all."""

    magic16: frozenset[int]
    magic32: frozenset[int]

    def may_match(self, head: bytes) -> bool:
        if len(head) >= 2 and int.from_bytes(head[:2], "little") in self.magic16:
            return True
        return len(head) >= 4 and int.from_bytes(head[:4], "little") in self.magic32


_filter_memo: dict[str, HeaderFilter | None] = {}


def header_filter(sources: Mapping[str, str]) -> HeaderFilter | None:
    """The header pre-filter for these file rules, or None when some rule is not anchored."""
    key = sources_key(sources)
    if key not in _filter_memo:
        _filter_memo[key] = _header_filter(sources)
    return _filter_memo[key]


def _header_filter(sources: Mapping[str, str]) -> HeaderFilter | None:
    m16: set[int] = set()
    m32: set[int] = set()
    for path, text in sources.items():
        for rule in parse_rules(text, path):
            clause = _HEADER_CLAUSE.match(rule.condition)
            if clause is None:
                return None
            for width, value in re.findall(_HEADER_TERM, clause.group(0)):
                (m16 if width == "16" else m32).add(int(value, 16))
    if not m16 and not m32:
        return None
    return HeaderFilter(frozenset(m16), frozenset(m32))
