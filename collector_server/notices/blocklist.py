"""The county's notified IPs/domains as hosts file, DNS RPZ zone, plain list and CSV."""

from __future__ import annotations

import csv
import io

from collector_server.notices.models import Indicator, IndicatorKind


def current_indicators(organisation) -> list[Indicator]:
    """Distinct indicators of the notices of ``organisation`` and everything below it."""
    seen: dict[tuple[str, str], Indicator] = {}
    for ind in (
        Indicator.objects.select_related("notice")
        .filter(notice__organisation__path__startswith=organisation.path)
        .order_by("value", "id")
    ):
        seen.setdefault((ind.kind, ind.value), ind)
    return list(seen.values())


def hosts_file(indicators: list[Indicator]) -> str:
    """Domains sinkholed to 0.0.0.0 (hosts files cannot block IPs)."""
    lines = ["# minecheck blocklist (notified mining domains)"]
    lines += [f"0.0.0.0 {i.value}" for i in indicators if i.kind == IndicatorKind.domain]
    return "\n".join(lines) + "\n"


def rpz_zone(indicators: list[Indicator], origin: str = "rpz.minecheck.local") -> str:
    """A response-policy zone answering NXDOMAIN for each domain and its subdomains."""
    lines = [
        f"$ORIGIN {origin}.",
        "$TTL 300",
        "@ IN SOA localhost. root.localhost. 1 3600 600 86400 300",
        "@ IN NS localhost.",
    ]
    for i in indicators:
        if i.kind == IndicatorKind.domain:
            lines += [f"{i.value} CNAME .", f"*.{i.value} CNAME ."]
    return "\n".join(lines) + "\n"


def plain_list(indicators: list[Indicator]) -> str:
    """One address or domain a line, for firewall address objects."""
    return "".join(f"{i.value}\n" for i in indicators)


def csv_list(indicators: list[Indicator]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kind", "value", "port", "notice", "received_at"])
    for i in indicators:
        writer.writerow(
            [i.kind, i.value, i.port or "", i.notice.number, i.notice.received_at.isoformat()]
        )
    return out.getvalue()
