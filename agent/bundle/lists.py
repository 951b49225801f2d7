"""Parsing the bundle's plain-text list files (tab-separated, ``#`` comments) and the
system-binaries CSV into :class:`Entry` objects, with file:line errors for bad lines."""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field

from agent.bundle.entries import Entry
from agent.bundle.matchers import normalize_domain, parse_ip_spec
from agent.wire.bundle import (  # the list files' paths inside a bundle
    ALL_LISTS,
    BENIGN_HEAVY,
    DOMAINS,
    IP_RANGES,
    MINERS,
    PORTS,
    SCHEMES,
    SYSTEM_BINARIES,
    TSV_LISTS,
)

__all__ = [
    "ALL_LISTS",
    "BENIGN_HEAVY",
    "DOMAINS",
    "IP_RANGES",
    "MINERS",
    "PORTS",
    "SCHEMES",
    "SYSTEM_BINARIES",
    "TSV_LISTS",
    "LineError",
    "ParsedList",
    "SystemBinary",
    "expand_dir",
    "is_domain",
    "parse_system_binaries",
    "parse_tsv_list",
    "validate_value",
]

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$"
)
_NAME_RE = re.compile(r"^[^\s/\\:*?\"<>|](?:[^\t\n/\\:*?\"<>|]{0,126}[^\s/\\:*?\"<>|])?$")
_SCHEME_RE = re.compile(r"^[a-z][a-z0-9]*(\+[a-z0-9]+)*$")


@dataclass
class LineError:
    """A bad line in a list file."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


@dataclass
class ParsedList:
    entries: list[Entry] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def is_domain(value: str) -> bool:
    """A syntactically valid DNS name with at least two labels (no IP address)."""
    value = normalize_domain(value)
    if not _DOMAIN_RE.match(value):
        return False
    return not value.replace(".", "").isdigit()


def validate_value(kind: str, value: str) -> str:
    """Normalize ``value`` for list ``kind`` or raise ValueError with the reason."""
    if kind == DOMAINS:
        norm = normalize_domain(value)
        if not is_domain(norm):
            raise ValueError(f"not a domain name: {value!r}")
        return norm
    if kind == IP_RANGES:
        parse_ip_spec(value)
        return value.strip()
    if kind == PORTS:
        if not value.isdigit() or not 0 < int(value) < 65536:
            raise ValueError(f"not a TCP port: {value!r}")
        return str(int(value))
    if kind == SCHEMES:
        norm = value.strip().lower().removesuffix("://")
        if not _SCHEME_RE.match(norm):
            raise ValueError(f"not a URL scheme: {value!r}")
        return norm
    if kind in (MINERS, BENIGN_HEAVY):
        norm = value.strip().lower()
        if not _NAME_RE.match(norm):
            raise ValueError(f"not an executable name: {value!r}")
        return norm
    raise ValueError(f"unknown list {kind!r}")


def parse_tsv_list(kind: str, text: str, path: str | None = None) -> ParsedList:
    """Parse ``value<TAB>tag<TAB>source[<TAB>note]`` lines; blank and ``#`` lines skipped."""
    result = ParsedList()
    where = path or kind
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in re.split(r"\t+", line)]
        if len(fields) < 3:
            result.errors.append(
                LineError(where, number, "expected value<TAB>tag<TAB>source[<TAB>note]")
            )
            continue
        try:
            value = validate_value(kind, fields[0])
        except ValueError as exc:
            result.errors.append(LineError(where, number, str(exc)))
            continue
        note = "\t".join(fields[3:])
        result.entries.append(Entry(value=value, tag=fields[1], source=fields[2], note=note))
    return result


def expand_dir(template: str) -> str:
    """Expand ``%SystemRoot%``-style variables with Windows defaults when unset."""
    defaults = {
        "SYSTEMROOT": os.environ.get("SYSTEMROOT", r"C:\Windows"),
        "WINDIR": os.environ.get("WINDIR", r"C:\Windows"),
        "PROGRAMFILES": os.environ.get("PROGRAMFILES", r"C:\Program Files"),
        "PROGRAMFILES(X86)": os.environ.get("PROGRAMFILES(X86)", r"C:\Program Files (x86)"),
        "PROGRAMDATA": os.environ.get("PROGRAMDATA", r"C:\ProgramData"),
    }
    return re.sub(r"%([^%]+)%", lambda m: defaults.get(m.group(1).upper(), m.group(0)), template)


@dataclass
class SystemBinary:
    name: str
    platform: str
    dirs: list[str]
    note: str = ""


def parse_system_binaries(
    text: str, path: str = SYSTEM_BINARIES
) -> tuple[list[SystemBinary], list[LineError]]:
    """Parse the CSV ``name,platform,dirs,note`` (dirs separated by ``;``)."""
    rows: list[SystemBinary] = []
    errors: list[LineError] = []
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames is None or not {"name", "platform", "dirs"} <= set(reader.fieldnames):
        return rows, [LineError(path, 1, "expected a header name,platform,dirs,note")]
    # Line numbers in the original text (comments removed above).
    numbers = [i for i, ln in enumerate(text.splitlines(), 1) if not ln.lstrip().startswith("#")]
    for index, row in enumerate(reader, start=1):
        number = numbers[index] if index < len(numbers) else index + 1
        name = (row.get("name") or "").strip().lower()
        plat = (row.get("platform") or "").strip().lower()
        dirs = [d.strip() for d in (row.get("dirs") or "").split(";") if d.strip()]
        if not name and not plat and not dirs:
            continue
        if not _NAME_RE.match(name) or plat not in ("windows", "linux") or not dirs:
            errors.append(LineError(path, number, "expected name,windows|linux,dir;dir,note"))
            continue
        rows.append(SystemBinary(name, plat, dirs, (row.get("note") or "").strip()))
    return rows, errors
