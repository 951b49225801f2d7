"""Figures of the overview page, all computed in the database within the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from collector_server.accounts.scoping import scope_devices, user_org_path
from collector_server.ledger.models import Device, Verdict
from collector_server.ledger.query import STALE_DAYS
from collector_server.reports.models import Report
from collector_server.web import charts

WEEKS = 8
SCHOOLS = 15  # the schools with the most mining devices shown in the chart by school


@dataclass
class Overview:
    devices: int
    high_performance: int
    verdicts: dict[str, int]
    stale: int
    never_reported: int
    without_agent: int
    mining_orgs: list[dict]
    verdict_chart: str
    activity_chart: str
    findings_chart: str
    hp_chart: str
    school_chart: str = ""  # devices and mining devices per school (more than one school)


def _weekly(user, since) -> tuple[list[str], list[int], list[int]]:
    """Reports per week and reports with a suspicious/mining verdict per week."""
    qs = scope_devices(
        Report.objects.filter(received_at__gte=since), user, field="device__organisation"
    )
    rows = (
        qs.annotate(week=TruncWeek("received_at"))
        .values("week")
        .annotate(
            total=Count("id"), flagged=Count("id", filter=Q(verdict__in=["suspicious", "mining"]))
        )
        .order_by("week")
    )
    by_week = {}
    for r in rows:
        week = r["week"]
        key = week.date() if hasattr(week, "date") else week
        by_week[key] = (r["total"], r["flagged"])
    start = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    labels, totals, flagged = [], [], []
    for i in range(WEEKS - 1, -1, -1):
        monday = start - timedelta(weeks=i)
        total, flag = by_week.get(monday, (0, 0))
        labels.append(monday.strftime("%m-%d"))
        totals.append(total)
        flagged.append(flag)
    return labels, totals, flagged


CACHE_SECONDS = 60


def build_overview(user) -> Overview:
    """The overview of what ``user`` may see; cached a minute per scope and language (at
    100,000 devices the counts scan the whole table)."""
    from django.core.cache import cache
    from django.utils.translation import get_language

    key = f"dashboard-overview:{user_org_path(user)}:{get_language()}"
    found = cache.get(key)
    if found is None:
        found = _compute_overview(user)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _compute_overview(user) -> Overview:
    devices = scope_devices(Device.objects.all(), user)
    now = timezone.now()
    counts = devices.aggregate(
        total=Count("id"),
        hp=Count("id", filter=Q(high_performance=True)),
        stale=Count(
            "id", filter=Q(last_seen__lt=now - timedelta(days=STALE_DAYS), runs_agent=True)
        ),
        never=Count("id", filter=Q(last_seen__isnull=True, runs_agent=True)),
        without_agent=Count("id", filter=Q(runs_agent=False)),
    )
    verdicts = {v: 0 for v in ("clean", "suspicious", "mining", "incomplete", "")}
    for row in devices.values("last_verdict").annotate(n=Count("id")).order_by():
        verdicts[row["last_verdict"]] = row["n"]
    mining_orgs = list(
        devices.filter(last_verdict="mining")
        .values("organisation_id", "organisation__name")
        .annotate(n=Count("id"))
        .order_by("-n", "organisation__name")[:20]
    )
    labels = dict(Verdict.choices)
    verdict_chart = charts.share_bar(
        [
            ("clean", str(labels["clean"]), verdicts["clean"]),
            ("suspicious", str(labels["suspicious"]), verdicts["suspicious"]),
            ("mining", str(labels["mining"]), verdicts["mining"]),
            ("incomplete", str(labels["incomplete"]), verdicts["incomplete"]),
            ("none", str(labels[""]), verdicts[""]),
        ],
        title=_("Devices by latest verdict"),
    )
    weeks, totals, flagged = _weekly(user, now - timedelta(weeks=WEEKS))
    hp_rows = (
        devices.filter(high_performance=True)
        .values("high_performance_category")
        .annotate(n=Count("id"))
        .order_by("-n")[:8]
    )
    hp_names = {
        "gpu_workstation": _("GPU workstation"),
        "server": _("Server"),
        "many_core": _("Many-core PC"),
        "": _("Other"),
    }
    schools = list(
        devices.values("organisation_id", "organisation__name")
        .annotate(n=Count("id"), mining=Count("id", filter=Q(last_verdict="mining")))
        .order_by("-mining", "-n", "organisation__name")[:SCHOOLS]
    )
    school_chart = ""
    if len(schools) > 1:
        school_chart = charts.grouped_hbars(
            [r["organisation__name"] for r in schools],
            [
                (_("Devices"), charts.PALETTE["default"], [r["n"] for r in schools]),
                (_("Mining"), charts.PALETTE["mining"], [r["mining"] for r in schools]),
            ],
            title=_("Devices and mining devices by school"),
        )
    return Overview(
        school_chart=school_chart,
        devices=counts["total"],
        high_performance=counts["hp"],
        verdicts=verdicts,
        stale=counts["stale"],
        never_reported=counts["never"],
        without_agent=counts["without_agent"],
        mining_orgs=mining_orgs,
        verdict_chart=verdict_chart,
        activity_chart=charts.bar_chart(weeks, totals, title=_("Reports received per week")),
        findings_chart=charts.bar_chart(
            weeks,
            flagged,
            title=_("Reports with a suspicious or mining verdict per week"),
            color=charts.PALETTE["mining"],
        ),
        hp_chart=charts.bar_chart(
            [
                str(hp_names.get(r["high_performance_category"], r["high_performance_category"]))
                for r in hp_rows
            ],
            [r["n"] for r in hp_rows],
            title=_("High-performance devices by kind"),
            color="#4527a0",
        ),
    )
