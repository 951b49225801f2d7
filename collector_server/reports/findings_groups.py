"""The findings page grouped by device, with each report's incidents (one per miner)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collector_server.reports.models import Finding, Report


@dataclass
class IncidentBlock:
    """One miner of a stored report and its evidence rows on this page."""

    data: dict[str, Any]
    rows: list[Finding] = field(default_factory=list)


@dataclass
class DeviceGroup:
    device: Any
    incidents: list[IncidentBlock] = field(default_factory=list)
    other: list[Finding] = field(default_factory=list)


def group_by_device(rows: list[Finding]) -> list[DeviceGroup]:
    """The page's findings per device (first seen first); rows that belong to an incident of
    their report are shown under it, the rest as other findings."""
    groups: dict[int, DeviceGroup] = {}
    blocks: dict[tuple[int, int], IncidentBlock] = {}
    owner = _incident_of_rows({r.report_id for r in rows})
    for row in rows:
        group = groups.setdefault(row.device_id, DeviceGroup(device=row.device))
        hit = owner.get(row.pk)
        if hit is None:
            group.other.append(row)
            continue
        key = (row.report_id, hit[0])
        if key not in blocks:
            blocks[key] = IncidentBlock(data=hit[1])
            group.incidents.append(blocks[key])
        blocks[key].rows.append(row)
    return list(groups.values())


def _incident_of_rows(report_ids: set[int]) -> dict[int, tuple[int, dict]]:
    """finding row pk -> (incident number, incident dict) from each stored report's JSON.
    Rows were stored in the report's order, so the n-th row by id is Report.findings[n]."""
    out: dict[int, tuple[int, dict]] = {}
    for report in Report.objects.filter(pk__in=report_ids).only("id", "raw"):
        incidents = _incidents(report)
        if not incidents:
            continue
        rows = Finding.objects.filter(report=report).order_by("id")
        pks = list(rows.values_list("pk", flat=True))
        for n, inc in enumerate(incidents):
            for index in inc.get("findings") or []:
                if isinstance(index, int) and 0 <= index < len(pks):
                    out.setdefault(pks[index], (n, inc))
    return out


def _incidents(report: Report) -> list[dict]:
    try:
        value = report.raw_json().get("incidents") or []
    except Exception:  # noqa: BLE001 - an unreadable stored report just shows flat rows
        return []
    return [i for i in value if isinstance(i, dict)] if isinstance(value, list) else []
