"""Importing the lists a bureau receives (a province's notice of mining domains and IPs) into
the local override bundle: plain lists, hosts-file form and CSV (also Chinese headers and
GBK/UTF-16 text saved by Excel). Bad lines are reported as ``file:line: reason``; every good
line is kept; importing the same file twice adds nothing."""

from __future__ import annotations

import csv
import io
import ipaddress
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from agent.bundle import lists as L
from agent.bundle.entries import Entry
from agent.bundle.loader import override_dir
from agent.bundle.matchers import normalize_domain, parse_ip, parse_ip_spec

IMPORT_TAG = "imported"

# Header words (lower case, spaces removed) -> column role.
HEADER_ROLES: dict[str, str] = {}
for _role, _words in {
    "type": ["type", "kind", "类型", "类别", "指标类型", "ioc类型"],
    "value": [
        "value",
        "indicator",
        "ioc",
        "值",
        "指标",
        "内容",
        "矿池地址",
        "地址",
        "address",
        "目标",
        "对象",
    ],
    "domain": [
        "domain",
        "domainname",
        "host",
        "hostname",
        "fqdn",
        "域名",
        "矿池域名",
        "主机名",
        "url",
        "网址",
        "链接",
        "矿池url",
    ],
    "ip": [
        "ip",
        "ipaddress",
        "ip地址",
        "ipv4",
        "ipv6",
        "矿池ip",
        "服务器ip",
        "目的ip",
        "ip段",
        "网段",
        "cidr",
    ],
    "port": ["port", "端口", "端口号", "矿池端口", "目的端口"],
    "source": ["source", "来源", "通报来源", "信息来源", "情报来源", "出处"],
    "note": [
        "note",
        "notes",
        "comment",
        "remark",
        "description",
        "备注",
        "说明",
        "描述",
        "币种",
        "coin",
        "矿池名称",
        "名称",
    ],
}.items():
    for _w in _words:
        HEADER_ROLES[_w] = _role
VALUE_ROLES = ("value", "domain", "ip")
TYPE_WORDS = {
    "domain": "domain",
    "域名": "domain",
    "host": "domain",
    "url": "domain",
    "网址": "domain",
    "ip": "ip",
    "ipv4": "ip",
    "ipv6": "ip",
    "ip地址": "ip",
    "cidr": "ip",
    "range": "ip",
    "网段": "ip",
    "ip段": "ip",
    "port": "port",
    "端口": "port",
}
_SINK_IPS = {"0.0.0.0", "127.0.0.1", "::", "::1", "255.255.255.255"}


@dataclass
class ImportResult:
    added: dict[str, int] = field(default_factory=dict)  # list file -> new entries
    duplicates: int = 0
    errors: list[L.LineError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)

    @property
    def added_total(self) -> int:
        return sum(self.added.values())


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a text file of unknown encoding: UTF-8 (with or without BOM), UTF-16 with BOM
    (Excel "Unicode text"), else GBK/GB18030 (Chinese Windows). Returns (text, encoding)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace"), "utf-8 (with undecodable bytes)"


def _to_ascii_domain(host: str) -> str:
    host = normalize_domain(host)
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"not a domain name: {host!r}") from exc
    return host


def classify(value: str) -> tuple[str, str, str]:
    """One indicator -> (list file, normalized value, note) or ValueError with the reason.

    Accepts a domain, an IP, a CIDR, an a-b range, host:port, [v6]:port and URLs such as
    stratum+tcp://host:port."""
    text = value.strip().strip("\"'").strip()
    if not text:
        raise ValueError("empty value")
    note = ""
    if "://" in text:
        parts = urlsplit(text)
        if not parts.hostname:
            raise ValueError(f"no host in URL {text!r}")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError(f"bad port in {text!r}") from exc
        note = f"url {parts.scheme}://" + (f", port {port}" if port else "")
        text = parts.hostname
    else:
        m = re.fullmatch(r"\[([0-9a-fA-F:.]+)\]:(\d+)", text) or re.fullmatch(
            r"([^:\s]+):(\d+)", text
        )
        if m:
            if not 0 < int(m.group(2)) < 65536:
                raise ValueError(f"bad port in {text!r}")
            text, note = m.group(1), f"port {int(m.group(2))}"
    if "/" in text or ("-" in text and parse_ip(text.split("-", 1)[0]) is not None):
        parse_ip_spec(text)  # raises ValueError with the reason
        return L.IP_RANGES, text, note
    addr = parse_ip(text)
    if addr is not None:
        if (
            str(addr) in _SINK_IPS
            or addr.is_loopback
            or addr.is_unspecified
            or addr.is_multicast
            or addr.is_link_local
        ):
            raise ValueError(f"{text} is not an address a pool can have")
        return L.IP_RANGES, str(addr), note
    if re.fullmatch(r"[0-9.]+", text):
        raise ValueError(f"not an IP address: {text!r}")
    domain = _to_ascii_domain(text)
    if not L.is_domain(domain):
        raise ValueError(f"not a domain, IP address, network or host:port: {value.strip()!r}")
    return L.DOMAINS, domain, note


@dataclass
class _Candidate:
    list_file: str
    entry: Entry
    line: int


def _hosts_line(tokens: list[str]) -> list[str] | None:
    """The host names of a hosts-file line ("0.0.0.0 a.example b.example"), else None."""
    if len(tokens) < 2 or parse_ip(tokens[0]) is None:
        return None
    names = [t for t in tokens[1:] if not t.startswith("#")]
    return names if names and all(parse_ip(n) is None for n in names) else None


_SINKHOLE_NETS = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
]


def _pool_ip_in_hosts_line(text: str) -> bool:
    """In "IP name", is the IP the pool's (kept) or a sinkhole (0.0.0.0, loopback, intranet)?"""
    addr = parse_ip(text)
    if addr is None or str(addr) in _SINK_IPS or addr.is_loopback or addr.is_unspecified:
        return False
    return not any(addr.version == n.version and addr in n for n in _SINKHOLE_NETS)


def parse_plain(text: str, path: str, source: str) -> tuple[list[_Candidate], list[L.LineError]]:
    """Plain list (one indicator per line, ``#`` comments) or hosts-file lines."""
    out: list[_Candidate] = []
    errors: list[L.LineError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().strip("\ufeff")
        if not line:
            continue
        tokens = line.replace(",", " ").replace(";", " ").split()
        hosts = _hosts_line(tokens)
        values = hosts if hosts is not None else tokens[:1]
        note = "hosts file" if hosts is not None else " ".join(tokens[1:])
        if hosts is not None and _pool_ip_in_hosts_line(tokens[0]):
            values = [tokens[0], *values]
        for value in values:
            try:
                kind, norm, extra = classify(value)
            except ValueError as exc:
                errors.append(L.LineError(path, number, str(exc)))
                continue
            out.append(
                _Candidate(
                    kind,
                    Entry(norm, IMPORT_TAG, source, "; ".join(x for x in (extra, note) if x)),
                    number,
                )
            )
    return out, errors


def _header_roles(row: list[str]) -> dict[int, str]:
    roles: dict[int, str] = {}
    for i, cell in enumerate(row):
        key = re.sub(r"[\s_()（）\-:：]", "", cell.strip().strip("\ufeff").lower())
        if key in HEADER_ROLES:
            roles[i] = HEADER_ROLES[key]
    return roles


def parse_csv(text: str, path: str, source: str) -> tuple[list[_Candidate], list[L.LineError]]:
    """CSV with a header row naming its columns (English or Chinese: 域名, IP地址, 端口, 来源 ...).
    Without a recognisable header every row's first cell is read as an indicator."""
    sample = "\n".join(text.splitlines()[:20])
    delimiter = max([",", "\t", ";"], key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    out: list[_Candidate] = []
    errors: list[L.LineError] = []
    header_at = next((i for i, r in enumerate(rows) if any(c.strip() for c in r)), None)
    if header_at is None:
        return out, errors
    roles = _header_roles(rows[header_at])
    if not any(r in VALUE_ROLES for r in roles.values()):
        plain = "\n".join(r[0] if r else "" for r in rows)
        return parse_plain(plain, path, source)
    for index in range(header_at + 1, len(rows)):
        row, number = rows[index], index + 1
        cells = {role: row[i].strip() for i, role in roles.items() if i < len(row)}
        if not any(cells.values()) or (row and row[0].lstrip().startswith("#")):
            continue  # a blank row (perhaps only its serial number) or a comment
        row_source = cells.get("source") or source
        note_parts = [cells.get("note", "")]
        port = cells.get("port", "")
        if port:
            if not port.isdigit() or not 0 < int(port) < 65536:
                errors.append(L.LineError(path, number, f"bad port {port!r}"))
                port = ""
            else:
                note_parts.append(f"port {port}")
        wanted_type = TYPE_WORDS.get(cells.get("type", "").lower().replace(" ", ""), "")
        values = [(role, cells[role]) for role in VALUE_ROLES if cells.get(role)]
        if wanted_type == "port" and values:
            value = values[0][1]
            if value.isdigit() and 0 < int(value) < 65536:
                out.append(
                    _Candidate(
                        L.PORTS,
                        Entry(
                            str(int(value)),
                            IMPORT_TAG,
                            row_source,
                            "; ".join(p for p in note_parts if p),
                        ),
                        number,
                    )
                )
            else:
                errors.append(L.LineError(path, number, f"bad port {value!r}"))
            continue
        if not values:
            if not port:
                errors.append(L.LineError(path, number, "no domain or IP address in this row"))
            continue
        for role, value in values:
            try:
                kind, norm, extra = classify(value)
            except ValueError as exc:
                errors.append(L.LineError(path, number, str(exc)))
                continue
            expected = wanted_type or {"domain": "", "ip": "ip"}.get(role, "")
            if expected == "ip" and kind != L.IP_RANGES:
                errors.append(L.LineError(path, number, f"{value!r} is not an IP address"))
                continue
            if expected == "domain" and kind != L.DOMAINS:
                # an IP in a domain column is still a pool address: keep it
                pass
            note = "; ".join(p for p in (extra, *note_parts) if p)
            out.append(_Candidate(kind, Entry(norm, IMPORT_TAG, row_source, note), number))
    return out, errors


def _read_override_values(folder: Path, rel: str) -> set[str]:
    path = folder / rel
    if not path.is_file():
        return set()
    parsed = L.parse_tsv_list(rel, path.read_text(encoding="utf-8"))
    return {_dedupe_key(rel, e.value) for e in parsed.entries}


def _dedupe_key(rel: str, value: str) -> str:
    if rel == L.IP_RANGES:
        try:
            return repr(parse_ip_spec(value))
        except ValueError:
            return value
    return value.lower()


def _append_atomic(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    old = (
        path.read_text(encoding="utf-8")
        if path.exists()
        else ("# Imported with `minecheck signatures import`: value<TAB>tag<TAB>source<TAB>note\n")
    )
    if old and not old.endswith("\n"):
        old += "\n"
    fd, tmp = tempfile.mkstemp(prefix=".import-", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(old + "".join(line + "\n" for line in lines))
    os.replace(tmp, path)


def _clean(text: str) -> str:
    return re.sub(r"[\t\r\n]+", " ", text).strip()


def import_files(
    paths: list[Path], home: Path, source: str | None = None, dry_run: bool = False
) -> ImportResult:
    """Import ``paths`` into ``home``'s override lists; see the module docstring."""
    result = ImportResult()
    folder = override_dir(home)
    existing = {
        rel: _read_override_values(folder, rel) for rel in (L.DOMAINS, L.IP_RANGES, L.PORTS)
    }
    new_lines: dict[str, list[str]] = {rel: [] for rel in existing}
    for path in paths:
        shown = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            result.errors.append(L.LineError(shown, 0, f"cannot read: {exc.strerror or exc}"))
            continue
        text, encoding = decode_text(data)
        result.files.append(shown)
        result.encodings[shown] = encoding
        file_source = source or f"import:{path.name}"
        looks_csv = path.suffix.lower() in (".csv", ".tsv") or bool(
            _header_roles(re.split(r"[,\t;]", text.lstrip("\ufeff").split("\n", 1)[0]))
        )
        parse = parse_csv if looks_csv else parse_plain
        candidates, errors = parse(text, shown, file_source)
        result.errors.extend(errors)
        for cand in candidates:
            key = _dedupe_key(cand.list_file, cand.entry.value)
            if key in existing[cand.list_file]:
                result.duplicates += 1
                continue
            existing[cand.list_file].add(key)
            e = cand.entry
            new_lines[cand.list_file].append(
                "\t".join([e.value, e.tag, _clean(e.source) or "import", _clean(e.note)]).rstrip(
                    "\t"
                )
            )
            result.added[cand.list_file] = result.added.get(cand.list_file, 0) + 1
    if not dry_run:
        for rel, lines in new_lines.items():
            if lines:
                _append_atomic(folder / rel, lines)
    return result
