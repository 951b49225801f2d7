"""What the device page shows beyond the ledger row: the latest report's details."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from collector_server.ledger.models import Device
from collector_server.reports.models import Finding, Report

HISTORY = 30


@dataclass
class DeviceDetail:
    reports: list[Report]
    findings: list[Finding]
    latest: dict = field(default_factory=dict)  # the latest report, parsed
    latest_findings: list[dict] = field(default_factory=list)
    utilization: dict | None = None
    hardware: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)


def device_detail(device: Device) -> DeviceDetail:
    """Report history, findings, hardware history; the latest report is parsed once."""
    reports = list(device.reports.defer("raw", "response_body").order_by("-received_at")
                   [:HISTORY])
    findings = list(device.findings.select_related("report").order_by("-received_at", "id")
                    [:100])
    detail = DeviceDetail(reports=reports, findings=findings,
                          changes=list(device.hardware_changes.all()[:HISTORY]))
    if reports:
        latest = Report.objects.only("raw").get(pk=reports[0].pk)
        try:
            detail.latest = latest.raw_json()
        except (zlib.error, ValueError):
            detail.latest = {}
    detail.latest_findings = list(detail.latest.get("findings") or [])
    detail.utilization = detail.latest.get("utilization")
    detail.hardware = detail.latest.get("hardware") or device.hardware or {}
    return detail
