"""Constant-time look-ups of pool domains (label-boundary suffix match) and IPs/ranges."""

from __future__ import annotations

import ipaddress
import socket
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import replace

from agent.bundle.entries import Entry

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def normalize_domain(name: str) -> str:
    """Lower-case, strip spaces, a trailing dot and a leading ``*.`` wildcard."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("*."):
        name = name[2:]
    return name


class DomainMatcher:
    """Matches a host name against listed domains on label boundaries.

    ``btc.com`` matches ``btc.com`` and ``eu.btc.com`` but not ``viabtc.com``. A look-up
    costs one dict probe per label of the host name, whatever the size of the list.
    """

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._by_domain: dict[str, Entry] = {}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> bool:
        """Add ``entry`` (first one listed wins); return False when already present."""
        key = normalize_domain(entry.value)
        if not key or key in self._by_domain:
            return False
        self._by_domain[key] = entry if entry.value == key else replace(entry, value=key)
        return True

    def match(self, hostname: str) -> Entry | None:
        """The most specific listed domain that ``hostname`` equals or is below, else None."""
        if not hostname:
            return None
        name = normalize_domain(hostname)
        table = self._by_domain
        while name:
            entry = table.get(name)
            if entry is not None:
                return entry
            dot = name.find(".")
            if dot < 0:
                return None
            name = name[dot + 1 :]
        return None

    def __contains__(self, hostname: object) -> bool:
        return isinstance(hostname, str) and self.match(hostname) is not None

    def __len__(self) -> int:
        return len(self._by_domain)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._by_domain.values())


def parse_ip(value: str | IPAddress) -> IPAddress | None:
    """An address object (IPv4-mapped IPv6 turned into IPv4, zone id dropped), or None."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        text = text.split("%", 1)[0]
        try:
            addr: IPAddress = ipaddress.ip_address(text)
        except ValueError:
            return None
    else:
        addr = value
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


_V4_MAPPED = bytes(10) + b"\xff\xff"


def ip_key(value: str | IPAddress) -> tuple[int, int] | None:
    """(version, integer) of an address, fast for strings (inet_pton); None when invalid.

    IPv4-mapped IPv6 addresses count as IPv4; brackets and a zone id are ignored."""
    if not isinstance(value, str):
        addr = parse_ip(value)
        return (addr.version, int(addr)) if addr is not None else None
    text = value.strip()
    try:
        if ":" not in text:
            return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
        if text.startswith("["):
            text = text[1:-1] if text.endswith("]") else text
        packed = socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0])
    except (OSError, ValueError):
        return None
    if packed.startswith(_V4_MAPPED):
        return 4, int.from_bytes(packed[12:], "big")
    return 6, int.from_bytes(packed, "big")


def parse_ip_spec(text: str) -> tuple[int, int, int]:
    """Parse a single IP, a CIDR network or an ``a-b`` range into (version, first, last).

    Raises ValueError with a readable message for anything else.
    """
    text = text.strip()
    if "-" in text and "/" not in text:
        lo_text, hi_text = (p.strip() for p in text.split("-", 1))
        lo, hi = parse_ip(lo_text), parse_ip(hi_text)
        if lo is None or hi is None or lo.version != hi.version or int(lo) > int(hi):
            raise ValueError(f"not an IP range: {text!r}")
        return lo.version, int(lo), int(hi)
    if "/" in text:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ValueError(f"not an IP network: {text!r}") from exc
        return net.version, int(net.network_address), int(net.broadcast_address)
    addr = parse_ip(text)
    if addr is None:
        raise ValueError(f"not an IP address: {text!r}")
    return addr.version, int(addr), int(addr)


class IPMatcher:
    """Matches an IP address against listed single addresses (a set) and ranges.

    Ranges are kept sorted by start per IP version and found with bisect; a running maximum
    of range ends lets overlapping or nested ranges be found too.
    """

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._single: dict[tuple[int, int], Entry] = {}
        self._pending: list[tuple[int, int, int, Entry]] = []
        self._range_keys: set[tuple[int, int, int]] = set()
        self._starts: dict[int, list[int]] = {4: [], 6: []}
        self._ranges: dict[int, list[tuple[int, int, Entry]]] = {4: [], 6: []}
        self._max_end: dict[int, list[int]] = {4: [], 6: []}
        self._dirty = False
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> bool:
        """Add ``entry`` (value: IP, CIDR or a-b range); False when already present.

        Raises ValueError when the value is not an address, network or range.
        """
        version, first, last = parse_ip_spec(entry.value)
        if first == last:
            key = (version, first)
            if key in self._single:
                return False
            self._single[key] = entry
            return True
        if (version, first, last) in self._range_keys:
            return False
        self._range_keys.add((version, first, last))
        self._pending.append((version, first, last, entry))
        self._dirty = True
        return True

    def _build(self) -> None:
        for version in (4, 6):
            ranges = sorted(
                ((f, la, e) for v, f, la, e in self._pending if v == version),
                key=lambda r: (r[0], -r[1]),
            )
            self._ranges[version] = ranges
            self._starts[version] = [r[0] for r in ranges]
            running, max_end = -1, []
            for r in ranges:
                running = max(running, r[1])
                max_end.append(running)
            self._max_end[version] = max_end
        self._dirty = False

    def match(self, ip: str | IPAddress) -> Entry | None:
        """The entry listing ``ip`` (exact address first, then the closest range), else None."""
        key = ip_key(ip)
        if key is None:
            return None
        version, value = key
        entry = self._single.get((version, value))
        if entry is not None:
            return entry
        if self._dirty:
            self._build()
        i = bisect_right(self._starts[version], value) - 1
        ranges, max_end = self._ranges[version], self._max_end[version]
        while i >= 0 and max_end[i] >= value:
            first, last, found = ranges[i]
            if first <= value <= last:
                return found
            i -= 1
        return None

    def __contains__(self, ip: object) -> bool:
        return isinstance(ip, str | ipaddress.IPv4Address | ipaddress.IPv6Address) and (
            self.match(ip) is not None
        )

    def __len__(self) -> int:
        return len(self._single) + len(self._pending)

    def __iter__(self) -> Iterator[Entry]:
        yield from self._single.values()
        for *_rest, entry in self._pending:
            yield entry
