"""What the device page shows beyond the ledger row: the latest report's details."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from collector_server.ledger import assets
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
    nics: list[dict] = field(default_factory=list)
    disks: list[dict] = field(default_factory=list)
    macs: list[str] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    os_name: str = ""
    physical_cores: int | None = None
    logical_cores: int | None = None


def device_detail(device: Device) -> DeviceDetail:
    """Report history, findings, hardware history; the latest report is parsed once."""
    reports = list(device.reports.defer("raw", "response_body").order_by("-received_at")[:HISTORY])
    findings = list(device.findings.select_related("report").order_by("-received_at", "id")[:100])
    detail = DeviceDetail(
        reports=reports, findings=findings, changes=list(device.hardware_changes.all()[:HISTORY])
    )
    if reports:
        latest = Report.objects.only("raw").get(pk=reports[0].pk)
        try:
            detail.latest = latest.raw_json()
        except (zlib.error, ValueError):
            detail.latest = {}
    detail.latest_findings = list(detail.latest.get("findings") or [])
    detail.utilization = detail.latest.get("utilization")
    detail.hardware = detail.latest.get("hardware") or device.hardware or {}
    for fnd in detail.latest_findings:
        if isinstance(fnd, dict):
            fnd["subject_rows"] = assets.subject_rows(fnd.get("subject"))
            fnd["rule_title"] = assets.rule_title(fnd.get("rule"))
    detail.nics = assets.nic_rows(detail.hardware)
    detail.disks = assets.disk_rows(detail.hardware)
    detail.macs = list(device.macs or []) or assets.nic_macs(detail.hardware)
    detail.ips = assets.clean_ips(device.ip_addresses)
    detail.os_name = assets.dedupe_os_name(device.os_name)
    detail.physical_cores, detail.logical_cores = assets.cores(detail.hardware)
    return detail
