"""The weekly review (每周研判): a snapshot computed once per organisation and ISO week.

Everything a review shows comes from ``WeeklyReview.snapshot``, written when the review is
generated and never recomputed, so later uploads do not change a past week.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collector_server.ledger.models import Device, DeviceStatus, Organisation

from .models import Person, Pledge, WeeklyReview

TREND_WEEKS = 8
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")

METRICS = (  # snapshot key, label
    ("devices_in_ledger", gettext_lazy("Devices in the ledger")),
    ("devices_reporting", gettext_lazy("Devices reporting this week")),
    ("coverage_pct", gettext_lazy("Coverage (%)")),
    ("high_performance", gettext_lazy("High-performance devices")),
    ("active_mining", gettext_lazy("New active mining (devices)")),
    ("passive_mining", gettext_lazy("New passive mining (devices)")),
    ("cases_opened", gettext_lazy("Cases opened")),
    ("cases_closed", gettext_lazy("Cases closed")),
    ("cases_overdue", gettext_lazy("Cases overdue")),
    ("repeat_devices", gettext_lazy("Repeat terminals")),
    ("silent_devices", gettext_lazy("Silent agents")),
    ("people", gettext_lazy("People who must sign")),
    ("pledges_signed", gettext_lazy("Pledges signed")),
    ("pledge_pct", gettext_lazy("Pledge completion (%)")),
)
TREND_KEYS = ("coverage_pct", "active_mining", "passive_mining", "cases_opened")


class WeekError(ValueError):
    pass


def parse_week(text: str) -> date:
    """The Monday of ISO week "YYYY-Www"."""
    match = WEEK_RE.match(text.strip())
    if not match:
        raise WeekError(_("A week is written like 2026-W48."))
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise WeekError(_("There is no week %(week)s.") % {"week": text}) from exc


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> str:
    return week_label(timezone.localdate())


def previous_week() -> str:
    return week_label(timezone.localdate() - timedelta(days=7))


def _bounds(monday: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(monday, time.min), tz)
    return start, timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min), tz)


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _history(orgs, start: datetime, end: datetime) -> dict:
    """The figures that history fixes (reports, cases by their timestamps)."""
    from collector_server.notices.models import Case
    from collector_server.reports.models import Report

    devices = Device.objects.filter(organisation__in=orgs, first_seen__lt=end).exclude(
        status=DeviceStatus.retired
    )
    in_ledger = devices.count()
    reports = Report.objects.filter(
        device__organisation__in=orgs, received_at__gte=start, received_at__lt=end
    )
    reporting = reports.values("device").distinct().count()
    mining = reports.filter(verdict="mining")
    cases = Case.objects.filter(organisation__in=orgs)
    return {
        "devices_in_ledger": in_ledger,
        "devices_reporting": reporting,
        "coverage_pct": _pct(reporting, in_ledger),
        "active_mining": mining.filter(mode="active").values("device").distinct().count(),
        "passive_mining": mining.filter(mode="passive").values("device").distinct().count(),
        "cases_opened": cases.filter(received_at__gte=start, received_at__lt=end).count(),
        "cases_closed": cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
    }


def _metrics(orgs, start: datetime, end: datetime, at: datetime) -> dict:
    """All figures of one organisation's week; ``at`` is the moment of the state counts."""
    from collector_server.ledger.stale import stale_devices
    from collector_server.notices.models import Case, CaseState
    from collector_server.notices.services import deadline_flag

    figures = _history(orgs, start, end)
    devices = Device.objects.filter(organisation__in=orgs, first_seen__lt=end).exclude(
        status=DeviceStatus.retired
    )
    open_cases = Case.objects.filter(organisation__in=orgs, received_at__lt=at).exclude(
        state=CaseState.closed
    )
    people = Person.objects.filter(organisation__in=orgs, active=True, created_at__lt=at)
    signed = people.filter(pledges__uploaded_at__lt=at).distinct().count()
    total = people.count()
    figures.update(
        {
            "high_performance": devices.filter(high_performance=True).count(),
            "cases_overdue": sum(1 for c in open_cases if deadline_flag(c, at) == "overdue"),
            "repeat_devices": devices.annotate(n=Count("cases")).filter(n__gte=2).count(),
            "silent_devices": stale_devices(devices, at).count(),
            "people": total,
            "pledges_signed": signed,
            "pledge_pct": _pct(signed, total) if total else 100.0,
            "unit_pledge": Pledge.objects.filter(
                organisation__in=orgs, person__isnull=True, uploaded_at__lt=at
            ).exists(),
        }
    )
    return figures


def _weak(row: dict) -> bool:
    """A unit the circular may criticise (通报批评)."""
    return (
        row["coverage_pct"] < 80
        or row["pledge_pct"] < 80
        or row["cases_overdue"] > 0
        or row["active_mining"] > 0
    )


def ranking(rows: list[dict]) -> list[dict]:
    """Schools best first: coverage, pledge completion, then fewer mining and overdue cases."""
    ordered = sorted(
        rows,
        key=lambda r: (
            -r["coverage_pct"],
            -r["pledge_pct"],
            r["active_mining"] + r["passive_mining"],
            r["cases_overdue"],
            r["name"],
        ),
    )
    return [{**row, "rank": i, "weak": _weak(row)} for i, row in enumerate(ordered, start=1)]


def compute_snapshot(organisation: Organisation, monday: date, now: datetime | None = None) -> dict:
    """The snapshot of ``organisation`` (and everything under it) for the week of ``monday``."""
    now = now or timezone.now()
    start, end = _bounds(monday)
    at = min(end, now)
    orgs = organisation.descendants()
    snapshot = {
        "week": week_label(monday),
        "organisation": organisation.name,
        "organisation_id": organisation.pk,
        "kind": organisation.kind,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "as_of": at.isoformat(),
        "metrics": _metrics(orgs, start, end, at),
    }
    trend = []
    for back in range(TREND_WEEKS, 0, -1):
        w_start, w_end = _bounds(monday - timedelta(weeks=back))
        figures = _history(orgs, w_start, w_end)
        trend.append(
            {
                "week": week_label(monday - timedelta(weeks=back)),
                **{k: figures[k] for k in TREND_KEYS},
            }
        )
    trend.append({"week": snapshot["week"], **{k: snapshot["metrics"][k] for k in TREND_KEYS}})
    snapshot["trend"] = trend
    from .access import UNIT_KINDS

    units = organisation.descendants(include_self=False).filter(kind__in=UNIT_KINDS)
    rows = [
        {
            "organisation_id": u.pk,
            "name": u.name,
            "kind": u.kind,
            **_metrics(u.descendants(), start, end, at),
        }
        for u in units.order_by("name")
    ]
    snapshot["schools"] = ranking(rows) if rows else []
    return snapshot


def generate_review(
    organisation: Organisation, week: str, now: datetime | None = None
) -> tuple[WeeklyReview, bool]:
    """The review of ``organisation`` for ``week``: the stored one if it exists (never
    recomputed), else computed now and stored. Returns (review, created)."""
    monday = parse_week(week)
    existing = WeeklyReview.objects.filter(organisation=organisation, week=week).first()
    if existing is not None:
        return existing, False
    now = now or timezone.now()
    if _bounds(monday)[0] > now:
        raise WeekError(_("Week %(week)s has not started yet.") % {"week": week})
    snapshot = compute_snapshot(organisation, monday, now)
    try:
        with transaction.atomic():
            review = WeeklyReview.objects.create(
                organisation=organisation,
                week=week,
                week_start=monday,
                snapshot=snapshot,
                generated_at=now,
            )
    except IntegrityError:  # another run stored it first
        return WeeklyReview.objects.get(organisation=organisation, week=week), False
    return review, True


def generate_all(week: str, organisations=None, now: datetime | None = None) -> list:
    """Reviews of ``week`` for every organisation (or the given ones); returns the new ones."""
    from collector_server.ledger.models import OrgKind

    qs = (
        organisations
        if organisations is not None
        else Organisation.objects.filter(
            kind__in=[
                OrgKind.school,
                OrgKind.cafe,
                OrgKind.county,
                OrgKind.culture,
                OrgKind.city,
                OrgKind.province,
            ]
        )
    )
    created = []
    for org in qs.order_by("path"):
        review, new = generate_review(org, week, now)
        if new:
            created.append(review)
    return created


def reviews_not_done(orgs, week: str) -> int:
    """Of ``orgs`` that are bureaus, how many have no locked review of ``week``."""
    from collector_server.ledger.models import OrgKind

    bureaus = orgs.filter(kind__in=[OrgKind.county, OrgKind.city, OrgKind.province])
    done = WeeklyReview.objects.filter(
        organisation__in=bureaus, week=week, locked_at__isnull=False
    ).count()
    return bureaus.count() - done


def lock(review: WeeklyReview, user) -> WeeklyReview:
    review.locked_at, review.locked_by = timezone.now(), user
    review.save(update_fields=["locked_at", "locked_by"])
    return review


def metric_rows(snapshot: dict) -> list[tuple[str, object]]:
    metrics = snapshot.get("metrics", {})
    return [(str(label), metrics.get(key, "")) for key, label in METRICS]


def trend_charts(snapshot: dict) -> list:
    from collector_server.web import charts

    trend = snapshot.get("trend", [])
    labels = [t["week"][-3:] for t in trend]
    titles = {
        "coverage_pct": _("Coverage (%)"),
        "active_mining": _("Active mining (devices)"),
        "passive_mining": _("Passive mining (devices)"),
        "cases_opened": _("Cases opened"),
    }
    colors = {
        "active_mining": charts.PALETTE["mining"],
        "passive_mining": charts.PALETTE["suspicious"],
    }
    return [
        (
            titles[key],
            charts.bar_chart(
                labels,
                [t.get(key) or 0 for t in trend],
                title=titles[key],
                color=colors.get(key, charts.PALETTE["default"]),
            ),
        )
        for key in TREND_KEYS
    ]
