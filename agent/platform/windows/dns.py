"""The Windows DNS client cache: `ipconfig /displaydns`, English or Chinese output."""

from __future__ import annotations

import re
import subprocess

_DNS_NAME = re.compile(r"^\s*(?:Record Name|记录名称)[ .]*:\s*(\S+)")
_DNS_A = re.compile(r"^\s*(?:A \(Host\) Record|A \(主机\)\s*记录)[ .]*:\s*(\S+)")


def parse_displaydns(text: str) -> dict[str, list[str]]:
    """`ipconfig /displaydns` output (English or Chinese) -> name -> A records."""
    out: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        m = _DNS_NAME.match(line)
        if m:
            current = m.group(1).lower().rstrip(".")
            out.setdefault(current, [])
            continue
        m = _DNS_A.match(line)
        if m and current:
            out[current].append(m.group(1))
    return out


def read_dns_cache() -> dict[str, list[str]]:
    """`ipconfig /displaydns` parsed; empty when it cannot run."""
    try:
        out = subprocess.run(
            ["ipconfig", "/displaydns"], capture_output=True, timeout=10, check=False
        ).stdout.decode("mbcs", errors="replace")
    except (OSError, subprocess.SubprocessError):
        return {}
    return parse_displaydns(out)
