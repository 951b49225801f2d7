"""Register notices, match indicators to organisations/devices, run the case state machine."""

from __future__ import annotations

import ipaddress
import zlib
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from collector_server.ledger.models import EgressLine, ManagedRange
from collector_server.notices.models import (
    MATCH_STRENGTH,
    Case,
    CaseEvent,
    CaseState,
    Indicator,
    IndicatorKind,
    Match,
    MatchKind,
    Notice,
)
from collector_server.reports.models import Finding, Report

LOCATE_WITHIN = timedelta(hours=48)
REPORT_WITHIN = timedelta(hours=72)
DUE_SOON = timedelta(hours=12)


class CaseError(ValueError):
    """A case change that the workflow does not allow."""


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _in_any(ip, networks: list[str]) -> str | None:
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net.strip(), strict=False):
                return net.strip()
        except ValueError:
            continue
    return None


@transaction.atomic
def register_notice(
    organisation,
    *,
    source: str,
    number: str,
    received_at: datetime,
    indicators: list[dict],
    user=None,
    note: str = "",
) -> Notice:
    """Create a notice and its indicators (dicts: value, port, observed_from, observed_to)."""
    if not indicators:
        raise ValueError("a notice needs at least one indicator")
    notice = Notice.objects.create(
        organisation=organisation,
        source=source,
        number=number,
        received_at=received_at,
        note=note,
        created_by=user,
    )
    for item in indicators:
        value = str(item["value"]).strip().lower()
        kind = IndicatorKind.ip if _ip(value) else IndicatorKind.domain
        Indicator.objects.create(
            notice=notice,
            kind=kind,
            value=value,
            port=item.get("port"),
            observed_from=item.get("observed_from"),
            observed_to=item.get("observed_to"),
        )
    return notice


def _subject_names(subject: str, indicator: Indicator) -> bool:
    """Does a finding's subject summary name the indicator (host on a boundary, port if set)?"""
    for part in subject.split(" · "):
        host, _sep, port = part.strip().rpartition(":") if part.count(":") == 1 else (part, "", "")
        host = host.strip().lower()
        if indicator.kind == IndicatorKind.domain:
            hit = host == indicator.value or host.endswith("." + indicator.value)
        else:
            hit = host == indicator.value
        if hit and (indicator.port is None or not port or port == str(indicator.port)):
            return True
    return False


EVIDENCE_REPORTS = 2000  # newest reports with findings searched per indicator


def _names_in_text(text: str, indicator: Indicator) -> bool:
    """Does an evidence string (a URL, a connection, a config line) name the indicator?"""
    import re

    value = re.escape(indicator.value)
    host = (
        rf"(?<![\w.-])(?:[\w-]+\.)*{value}(?![\w-])"
        if indicator.kind == IndicatorKind.domain
        else rf"(?<![\w.:]){value}(?![\w.])"
    )
    if indicator.port is None:
        return re.search(host, text, re.I) is not None
    return re.search(rf"{host}:{indicator.port}(?!\d)", text, re.I) is not None


def _evidence_hits(indicator: Indicator, scope: str):
    """(report, evidence text) for stored reports whose findings' evidence (connections,
    command lines, config files, DNS cache) name the indicator."""
    reports = Report.objects.select_related("device__organisation").filter(
        finding_count__gt=0, device__organisation__path__startswith=scope
    )
    if indicator.observed_from:
        reports = reports.filter(received_at__gte=indicator.observed_from)
    if indicator.observed_to:
        reports = reports.filter(received_at__lte=indicator.observed_to)
    for report in reports.order_by("-received_at")[:EVIDENCE_REPORTS]:
        try:
            findings = report.raw_json().get("findings") or []
        except (ValueError, OSError, EOFError, zlib.error):
            continue
        for finding in findings:
            subject = finding.get("subject") or {}
            texts = [str(x) for x in finding.get("evidence") or []]
            texts += [str(subject.get(k) or "") for k in ("remote", "domain", "path")]
            hit = next((t for t in texts if t and _names_in_text(t, indicator)), None)
            if hit:
                yield report, f"{finding.get('kind', '')}: {hit[:300]}"
                break


def match_indicator(indicator: Indicator) -> list[Match]:
    """Recompute the matches of one indicator; strength follows MATCH_STRENGTH."""
    scope = indicator.notice.organisation.path
    found: list[Match] = []

    def add(kind: str, org, device=None, evidence: str = "", report_id=None) -> None:
        found.append(
            Match(
                indicator=indicator,
                organisation=org,
                device=device,
                kind=kind,
                strength=MATCH_STRENGTH[kind],
                evidence=evidence[:1024],
                report_id=report_id,
            )
        )

    ip = _ip(indicator.value) if indicator.kind == IndicatorKind.ip else None
    if ip is not None:
        for line in EgressLine.objects.select_related("organisation").filter(
            organisation__path__startswith=scope
        ):
            net = _in_any(ip, line.address_list())
            if net:
                add(MatchKind.egress_line, line.organisation, evidence=f"{line.isp} {net}")
        for rng in ManagedRange.objects.select_related("organisation").filter(
            organisation__path__startswith=scope
        ):
            if _in_any(ip, [rng.cidr]):
                add(MatchKind.managed_range, rng.organisation, evidence=rng.cidr)
        uploads = Report.objects.select_related("device__organisation").filter(
            source_ip=str(ip), device__organisation__path__startswith=scope
        )
        if indicator.observed_from:
            uploads = uploads.filter(received_at__gte=indicator.observed_from)
        if indicator.observed_to:
            uploads = uploads.filter(received_at__lte=indicator.observed_to)
        seen: set[int] = set()
        for report in uploads:
            if report.device_id not in seen:
                seen.add(report.device_id)
                add(
                    MatchKind.upload_source,
                    report.device.organisation,
                    report.device,
                    f"upload from {ip} at {report.received_at.isoformat()}",
                    report.report_id,
                )
    findings = Finding.objects.select_related("device__organisation", "report").filter(
        subject__icontains=indicator.value, device__organisation__path__startswith=scope
    )
    if indicator.observed_from:
        findings = findings.filter(received_at__gte=indicator.observed_from)
    if indicator.observed_to:
        findings = findings.filter(received_at__lte=indicator.observed_to)
    for finding in findings:
        if _subject_names(finding.subject, indicator):
            add(
                MatchKind.report_evidence,
                finding.device.organisation,
                finding.device,
                f"{finding.kind}: {finding.subject}",
                finding.report.report_id,
            )
    named = {(m.device_id, m.report_id) for m in found if m.kind == MatchKind.report_evidence}
    for report, text in _evidence_hits(indicator, scope):
        if (report.device_id, report.report_id) not in named:
            named.add((report.device_id, report.report_id))
            add(
                MatchKind.report_evidence,
                report.device.organisation,
                report.device,
                f"report {report.report_id} evidence: {text}",
                report.report_id,
            )
    with transaction.atomic():
        Match.objects.filter(indicator=indicator).delete()
        Match.objects.bulk_create(found)
    return found


def open_cases(notice: Notice, *, now: datetime | None = None, user=None) -> list[Case]:
    """Match every indicator, then open one case per matched organisation (idempotent)."""
    now = now or timezone.now()
    org_ids: list[int] = []
    for indicator in notice.indicators.all():
        for match in match_indicator(indicator):
            if match.organisation_id not in org_ids:
                org_ids.append(match.organisation_id)
    cases = []
    for org_id in org_ids:
        case, created = Case.objects.get_or_create(
            notice=notice, organisation_id=org_id, defaults={"received_at": now}
        )
        if created:
            _record(case, "opened", "", CaseState.received, user, now, {})
        cases.append(case)
    return cases


def _record(case: Case, action: str, from_state: str, to_state: str, user, now, detail):
    return CaseEvent.objects.create(
        case=case,
        at=now,
        actor=user,
        action=action,
        from_state=from_state,
        to_state=to_state,
        detail=detail,
    )


@transaction.atomic
def locate(
    case: Case, devices, responsible_person: str, *, user=None, now: datetime | None = None
) -> Case:
    """Lock device(s) and the responsible person: received → located."""
    now = now or timezone.now()
    if case.state != CaseState.received:
        raise CaseError(
            _("A case in state “%(state)s” cannot be located.")
            % {"state": case.get_state_display()}
        )
    devices = list(devices)
    if not devices or not responsible_person.strip():
        raise CaseError(_("Locating needs at least one device and a responsible person."))
    if any(d.organisation_id != case.organisation_id for d in devices):
        raise CaseError(_("A device of another organisation cannot be locked in this case."))
    case.devices.set(devices)
    case.responsible_person = responsible_person.strip()
    case.state, case.located_at = CaseState.located, now
    case.save()
    _record(
        case,
        "located",
        CaseState.received,
        CaseState.located,
        user,
        now,
        {"devices": [d.pk for d in devices], "responsible_person": case.responsible_person},
    )
    return case


@transaction.atomic
def submit_report(case: Case, *, user=None, now: datetime | None = None) -> Case:
    """The written report is submitted: located → reported."""
    now = now or timezone.now()
    if case.state != CaseState.located:
        raise CaseError(
            _("A case in state “%(state)s” cannot be reported.")
            % {"state": case.get_state_display()}
        )
    case.state, case.reported_at = CaseState.reported, now
    case.save()
    _record(case, "reported", CaseState.located, CaseState.reported, user, now, {})
    return case


def unclean_devices(case: Case) -> list:
    """Devices of the case with no clean report received after the case was located."""
    missing = []
    for device in case.devices.all():
        latest = (
            device.reports.filter(received_at__gt=case.located_at).order_by("-received_at").first()
        )
        if latest is None or latest.verdict != "clean":
            missing.append(device)
    return missing


@transaction.atomic
def close_blockers(case: Case) -> list[str]:
    """Who must sign the pledge again before ``case`` may close (compliance's case_blockers):
    each person responsible for a device of the case that mined actively."""
    from collector_server.compliance.pledges import case_blockers  # services imports us

    return case_blockers(case)


def close(case: Case, *, reason: str = "", user=None, now: datetime | None = None) -> Case:
    """reported → closed, only after a clean rescan of each device or with a stated reason,
    and never while a person found with active mining has not signed the pledge again."""
    now = now or timezone.now()
    if case.state != CaseState.reported:
        raise CaseError(
            _("A case in state “%(state)s” cannot be closed.") % {"state": case.get_state_display()}
        )
    blockers = close_blockers(case)
    if blockers:
        raise CaseError(_("The case cannot close yet: %(who)s") % {"who": " ".join(blockers)})
    missing = unclean_devices(case)
    if missing and not reason.strip():
        names = ", ".join(d.hostname for d in missing)
        raise CaseError(
            _("No clean rescan yet for: %(names)s; state a reason to close anyway.")
            % {"names": names}
        )
    case.state, case.closed_at, case.close_reason = CaseState.closed, now, reason.strip()
    case.save()
    _record(
        case,
        "closed",
        CaseState.reported,
        CaseState.closed,
        user,
        now,
        {"reason": case.close_reason, "unclean": [d.pk for d in missing]},
    )
    return case


def locate_due(case: Case) -> datetime:
    return case.received_at + LOCATE_WITHIN


def report_due(case: Case) -> datetime:
    return case.received_at + REPORT_WITHIN


def deadline_flag(case: Case, now: datetime | None = None) -> str:
    """'overdue', 'due_soon' or '' for the step the case is waiting on."""
    now = now or timezone.now()
    if case.state == CaseState.received:
        due = locate_due(case)
    elif case.state == CaseState.located:
        due = report_due(case)
    else:
        return ""
    if now > due:
        return "overdue"
    return "due_soon" if due - now <= DUE_SOON else ""


def repeat_devices(min_cases: int = 2) -> dict[int, int]:
    """Devices locked in ``min_cases`` or more cases: {device id: case count} (连续出现)."""
    from django.db.models import Count

    from collector_server.ledger.models import Device

    rows = Device.objects.annotate(n=Count("cases")).filter(n__gte=min_cases)
    return dict(rows.values_list("pk", "n"))


@transaction.atomic
def save_written_report(case: Case, fields: dict, *, user=None, now: datetime | None = None):
    """Store the school's free-text parts of the written report (recorded as an event)."""
    from collector_server.notices.models import WrittenReport

    now = now or timezone.now()
    if case.state not in (CaseState.located, CaseState.received):
        raise CaseError(
            _("The written report cannot be edited in state “%(state)s”.")
            % {"state": case.get_state_display()}
        )
    written, _created = WrittenReport.objects.get_or_create(case=case)
    changed = {}
    for key in ("mining_mode", "mode_reason", "actions", "accountability"):
        if key in fields and getattr(written, key) != fields[key]:
            setattr(written, key, fields[key])
            changed[key] = fields[key]
    written.updated_at = now
    written.save()
    if changed:
        _record(case, "report_edited", case.state, case.state, user, now, changed)
    return written


@transaction.atomic
def return_report(case: Case, comment: str, *, user=None, now: datetime | None = None) -> Case:
    """The bureau sends a submitted report back with a comment: reported → located."""
    from collector_server.notices.models import WrittenReport

    now = now or timezone.now()
    if case.state != CaseState.reported:
        raise CaseError(
            _("A case in state “%(state)s” cannot be returned.")
            % {"state": case.get_state_display()}
        )
    if not comment.strip():
        raise CaseError(_("Returning a report needs a comment."))
    written, _created = WrittenReport.objects.get_or_create(case=case)
    written.bureau_comment = comment.strip()
    written.save()
    case.state, case.reported_at = CaseState.located, None
    case.save()
    _record(
        case,
        "returned",
        CaseState.reported,
        CaseState.located,
        user,
        now,
        {"comment": comment.strip()},
    )
    return case


def candidate_devices(case: Case) -> list:
    """Devices of the case's school that the notice's matches name, strongest first."""
    from collector_server.notices.models import Match, MatchStrength

    order = {MatchStrength.device: 0, MatchStrength.candidate: 1}
    rows = Match.objects.select_related("device").filter(
        indicator__notice=case.notice, organisation=case.organisation, device__isnull=False
    )
    best: dict[int, tuple[int, object]] = {}
    for m in rows:
        rank = order.get(m.strength, 2)
        if m.device_id not in best or rank < best[m.device_id][0]:
            best[m.device_id] = (rank, m.device)
    return [d for _rank, d in sorted(best.values(), key=lambda x: (x[0], x[1].hostname))]
