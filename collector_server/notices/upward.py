"""Pools that agents found and no notice names yet (及时上报发现的矿池域名和IP地址)."""

from __future__ import annotations

from collector_server.notices.models import Indicator
from collector_server.reports.models import Finding

POOL_KINDS = ("pool_connection",)


def _hosts(subject: str) -> list[str]:
    """The remote host and domain parts of a finding's subject summary."""
    hosts = []
    for part in subject.split(" · "):
        part = part.strip()
        if "\\" in part or "/" in part or " " in part or not part:
            continue
        host = part.rsplit(":", 1)[0] if part.count(":") == 1 else part
        if "." in host:
            hosts.append(host.lower())
    return hosts


def unreported_pools(organisation) -> list[dict]:
    """[{host, devices, first_seen}] for pool hosts seen below ``organisation`` and not notified."""
    notified = set(
        Indicator.objects.filter(
            notice__organisation__path__startswith=organisation.path
        ).values_list("value", flat=True)
    )
    found: dict[str, dict] = {}
    for finding in Finding.objects.filter(
        kind__in=POOL_KINDS, device__organisation__path__startswith=organisation.path
    ).order_by("received_at"):
        for host in _hosts(finding.subject):
            if host in notified or any(host.endswith("." + n) for n in notified):
                continue
            row = found.setdefault(
                host, {"host": host, "devices": set(), "first_seen": finding.received_at}
            )
            row["devices"].add(finding.device_id)
    return [
        {**r, "devices": sorted(r["devices"])}
        for r in sorted(found.values(), key=lambda r: r["host"])
    ]
