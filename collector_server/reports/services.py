"""The ingest hot path: one validated report → one transaction (report, findings, device)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from agent.wire.api import Error, UploadAnswer
from agent.wire.report import Finding as FindingModel
from agent.wire.report import Report as ReportModel
from collector_server.ledger.models import Device, HardwareChange, fingerprint_belongs
from collector_server.ledger.services import describe_change, hardware_fields
from collector_server.reports.models import Finding, Report
from collector_server.reports.verdicts import device_verdict


@dataclass
class IngestResult:
    """The answer to an upload; a repeated ``report_id`` gets the first answer verbatim."""

    status: int
    body: dict[str, Any]
    duplicate: bool = False


class FingerprintMismatch(Exception):
    """The report's device is not the device the token was issued to."""


class ReportRejected(Exception):
    """The report cannot be stored as it is (the message says why)."""


# Verdicts that carry a finding: a report with one always updates the device's state.
FINDING_VERDICTS = ("suspicious", "mining")


def check_started_at(started_at: datetime, now: datetime) -> None:
    """Refuse a scan time far from the server's clock (configurable in settings)."""
    ahead = timedelta(hours=settings.MINECHECK_MAX_CLOCK_AHEAD_HOURS)
    behind = timedelta(days=settings.MINECHECK_MAX_REPORT_AGE_DAYS)
    if started_at > now + ahead:
        raise ReportRejected(
            f"started_at {started_at.isoformat()} is more than {ahead} ahead of the "
            f"collector's clock ({now.isoformat()}): check the computer's date and time"
        )
    if started_at < now - behind:
        raise ReportRejected(
            f"started_at {started_at.isoformat()} is older than {behind.days} days: the "
            "collector no longer accepts this report"
        )


def is_newest_scan(device: Device, started_at: datetime, now: datetime) -> bool:
    """Is this the device's newest scan (a stored scan time past the allowed skew, from before
    the bound existed, counts as no scan time)?"""
    last = device.last_scan_at
    ahead = timedelta(hours=settings.MINECHECK_MAX_CLOCK_AHEAD_HOURS)
    return last is None or last > now + ahead or started_at >= last


def state_update(
    device: Device, model: ReportModel, verdict: str, mode: str, now: datetime
) -> dict[str, Any]:
    """What a report received now changes in the device's current state. Reports count in the
    order the server receives them: the newest scan replaces everything; a spooled older scan
    that carries a finding still becomes the verdict (a clean report never hides a finding
    received after it); an older clean scan only adds history."""
    if is_newest_scan(device, model.started_at, now):
        return {
            "last_scan_at": model.started_at,
            **device_verdict(device.last_verdict, device.last_mode, verdict, mode),
            "last_report_id": model.report_id,
            "signature_version": model.signatures.version[:64],
            "agent_version": model.agent.version[:64],
            "hostname": model.device.hostname[:255],
        }
    if verdict in FINDING_VERDICTS:
        return {"last_verdict": verdict, "last_mode": mode, "last_report_id": model.report_id}
    return {}


def previous_answer(report_id: uuid.UUID) -> tuple[int, dict[str, Any], int] | None:
    rows = list(
        Report.objects.filter(report_id=report_id).values_list(
            "response_status", "response_body", "device_id"
        )[:1]
    )
    return rows[0] if rows else None


def subject_summary(f: FindingModel) -> str:
    s = f.subject
    parts = [
        s.process_name and f"{s.process_name}" + (f" (pid {s.pid})" if s.pid else ""),
        s.exe,
        s.remote,
        s.domain,
        s.file,
        s.registry_key,
        s.persistence,
    ]
    return " · ".join(p for p in parts if p)[:1024]


def finding_rows(report: Report, device_id: int, findings: list[FindingModel]) -> list[Finding]:
    return [
        Finding(
            report=report,
            device_id=device_id,
            received_at=report.received_at,
            kind=f.kind[:64],
            strength=f.strength.value,
            weight=f.weight,
            passive_hint=f.passive_hint,
            title_zh=f.title.zh[:500],
            title_en=f.title.en[:500],
            action_zh=f.action.zh,
            action_en=f.action.en,
            subject=subject_summary(f),
            rule=(f.rule or "")[:255],
            signature_version=(f.signature_version or "")[:64],
        )
        for f in findings
    ]


@dataclass(frozen=True)
class ReportSource:
    """A report and where it came from: an agent's upload (its device token authenticated
    ``device``) or a hand-carry file that reports.handcarry verified (hash, signature, key).

    ``compressed``: the body as uploaded with gzip, stored as is (no second compression).
    """

    device: Device
    model: ReportModel
    raw_json: bytes
    kind: str = "upload"  # "upload" | "handcarry" (rows of older installs may say "file")
    address: str | None = None
    compressed: bytes | None = None


def import_report(source: ReportSource) -> IngestResult:
    """Store ``source.model`` for ``source.device``: the one import path of every report.

    A repeated ``report_id`` hits the unique index and gets the first answer replayed.
    """
    device, model, raw_json = source.device, source.model, source.raw_json
    source_ip, compressed = source.address, source.compressed
    if model.device.fingerprint != device.fingerprint and not fingerprint_belongs(
        device, model.device.fingerprint
    ):
        raise FingerprintMismatch(
            "the report's device.fingerprint does not match the device this token was "
            "issued to; enroll this device again"
        )
    now = timezone.now()
    try:
        check_started_at(model.started_at, now)
    except ReportRejected:
        prior = previous_answer(model.report_id)  # stored before: replay, never refuse
        if prior is None:
            raise
        return _replay(prior, device)
    verdict = model.verdict.status.value
    mode = model.verdict.mode.value if model.verdict.mode else ""
    body = UploadAnswer(
        report_id=model.report_id,
        device_id=device.pk,
        verdict=verdict,
        findings=len(model.findings),
    ).json_body()
    hw_json = model.hardware.model_dump(mode="json", exclude_none=True)
    report = Report(
        report_id=model.report_id,
        device=device,
        received_at=now,
        started_at=model.started_at,
        verdict=verdict,
        mode=mode,
        schema_version=model.schema_version,
        agent_version=model.agent.version[:64],
        signature_version=model.signatures.version[:64],
        finding_count=len(model.findings),
        source_ip=source_ip,
        source=source.kind,
        raw=compressed or Report.compress(raw_json),
        raw_size=len(raw_json),
        response_status=201,
        response_body=body,
    )
    update: dict[str, Any] = {"last_seen": now}
    if source_ip:
        update["public_ip"] = source_ip
    change = None
    state = state_update(device, model, verdict, mode, now)
    update.update(state)
    # the newest scan's inventory is the device's hardware
    has_inventory = bool(model.hardware.cpu or model.hardware.nics or model.hardware.memory)
    if "last_scan_at" in state and has_inventory:
        update.update(hardware_fields(model.hardware, hw_json))
        before, after = device.hardware_summary or {}, update["hardware_summary"]
        if before and before != after:
            change = HardwareChange(
                device=device,
                changed_at=now,
                report_id=model.report_id,
                summary=describe_change(before, after),
                before=before,
                after=after,
            )
    try:
        with transaction.atomic():
            report.save(force_insert=True)
            if model.findings:
                Finding.objects.bulk_create(finding_rows(report, device.pk, model.findings))
            if change is not None:
                change.save(force_insert=True)
            Device.objects.filter(pk=device.pk).update(**update)
    except IntegrityError:
        prior = previous_answer(model.report_id)  # the same report raced in concurrently
        if prior is None:
            raise
        return _replay(prior, device)
    return IngestResult(201, body)


def _replay(prior: tuple[int, dict[str, Any], int], device: Device) -> IngestResult:
    status, body, device_id = prior
    if device_id != device.pk:
        return IngestResult(
            409,
            Error(
                error="conflict",
                detail="this report_id was already uploaded by another device",
            ).json_body(),
        )
    return IngestResult(status, body, duplicate=True)
