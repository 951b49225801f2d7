"""Retention (reports/prune.py) on real rows, SQLite and PostgreSQL: a dry run counts, what
stays (latest per device per day, findings, notice matches and cases, current report), a
second run deletes nothing; the command, the job kind and the daily schedule."""

from __future__ import annotations

import io
import uuid
from datetime import datetime, timezone

import pytest
from django.core.management import call_command

from tests.collector.web.test_dashboard_seed import make_device

UTC = timezone.utc


@pytest.fixture(params=["sqlite", "postgres"])
def alias(request, django_dbs) -> str:
    name = "default" if request.param == "sqlite" else "postgres"
    if name not in django_dbs:
        pytest.skip("PostgreSQL: MINECHECK_TEST_DATABASE_URL is not set")
    return name


def _report(alias: str, device, at: datetime, findings: int = 0):
    from collector_server.reports.models import Finding, Report

    row = Report.objects.using(alias).create(
        report_id=uuid.uuid4(),
        device=device,
        received_at=at,
        started_at=at,
        verdict="suspicious" if findings else "clean",
        finding_count=findings,
        raw=Report.compress(b"{}"),
        raw_size=2,
    )
    for i in range(findings):
        Finding.objects.using(alias).create(
            report=row,
            device=device,
            received_at=at,
            kind="process",
            strength="strong",
            title_zh=f"发现 {i}",
            title_en=f"finding {i}",
        )
    return row


def _seed(alias: str, year: int):
    """Rows in ``year`` (no other test stores reports that old): returns what must stay and
    what must go."""
    from collector_server.ledger.models import Organisation
    from collector_server.notices.models import Case, Indicator, Match, Notice

    org = Organisation.objects.using(alias).create(name=f"留存-{alias}-{year}", kind="school")
    a, b, c = (make_device(alias, org, f"prune-{n}-{year}") for n in "abc")

    def t(day: int, hour: int) -> datetime:
        return datetime(year, 1, day, hour, tzinfo=UTC)

    gone = [_report(alias, a, t(10, 8)), _report(alias, a, t(10, 12))]
    stay = [_report(alias, a, t(10, 20))]  # the latest of that day
    gone.append(_report(alias, a, t(11, 8)))
    stay += [_report(alias, a, t(11, 9), findings=2), _report(alias, a, t(11, 10))]
    named = _report(alias, a, t(12, 7))
    stay += [named, _report(alias, a, t(12, 18))]
    stay += [_report(alias, b, t(10, h)) for h in (8, 12, 20)]  # b is in a case
    current = _report(alias, c, t(13, 6))
    stay += [current, _report(alias, c, t(13, 7))]
    recent = [_report(alias, a, datetime(year, 5, 30, h, tzinfo=UTC)) for h in (1, 2)]
    notice = Notice.objects.using(alias).create(
        organisation=org, source="police", number=f"公网安〔{year}〕1号", received_at=t(20, 9)
    )
    indicator = Indicator.objects.using(alias).create(notice=notice, kind="ip", value="203.0.113.7")
    Match.objects.using(alias).create(
        indicator=indicator,
        organisation=org,
        device=a,
        kind="report_evidence",
        strength="device",
        report_id=named.report_id,
    )
    case = Case.objects.using(alias).create(notice=notice, organisation=org, received_at=t(20, 10))
    case.devices.set([b])
    type(c).objects.using(alias).filter(pk=c.pk).update(last_report_id=current.report_id)
    return stay, gone, recent


def test_thinning_keeps_what_matters_and_is_idempotent(alias):
    from collector_server.reports.models import Finding, Report
    from collector_server.reports.prune import prune_reports

    year = 2001 if alias == "default" else 2002
    stay, gone, recent = _seed(alias, year)
    now = datetime(year, 6, 1, tzinfo=UTC)  # 90 days back: 3 March
    dry = prune_reports(dry_run=True, now=now, days=90, using=alias)
    assert (dry.old, dry.deleted, dry.kept) == (len(stay) + len(gone), len(gone), len(stay))
    assert Report.objects.using(alias).filter(pk__in=[r.pk for r in gone]).count() == len(gone)

    done = prune_reports(now=now, days=90, using=alias)
    assert (done.old, done.deleted) == (len(stay) + len(gone), len(gone))
    left = set(
        Report.objects.using(alias)
        .filter(pk__in=[r.pk for r in stay + gone + recent])
        .values_list("pk", flat=True)
    )
    assert left == {r.pk for r in stay + recent}
    assert Finding.objects.using(alias).filter(report__in=[r.pk for r in stay]).count() == 2

    again = prune_reports(now=now, days=90, using=alias)
    assert again.deleted == 0
    assert prune_reports(dry_run=True, now=now, days=90, using=alias).deleted == 0


def test_retention_zero_is_off(alias):
    from collector_server.reports.prune import prune_reports

    result = prune_reports(now=datetime(2003, 6, 1, tzinfo=UTC), days=0, using=alias)
    assert result.cutoff is None and result.deleted == 0


def test_command_dry_run_and_job_kind(django_dbs):
    from collector_server.jobs.models import Job, JobState
    from collector_server.jobs.services import execute
    from collector_server.reports.models import Report

    stay, gone, _ = _seed("default", 2004)
    # the real clock: reports of 2004 are far past the default 90 days
    out = io.StringIO()
    call_command("reports", "prune", "--dry-run", stdout=out)
    assert "would delete" in out.getvalue()
    assert Report.objects.filter(pk__in=[r.pk for r in gone]).count() == len(gone)

    job = Job.objects.create(kind="report_prune", params={})
    execute(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.done, job.error if hasattr(job, "error") else job.message
    assert Report.objects.filter(pk__in=[r.pk for r in gone]).count() == 0
    assert Report.objects.filter(pk__in=[r.pk for r in stay]).count() == len(stay)
    out = io.StringIO()
    call_command("reports", "prune", stdout=out)
    assert "deleted 0" in out.getvalue()


def test_daily_schedule_is_registered(django_dbs):
    from huey.contrib.djhuey import HUEY

    from collector_server.reports import tasks

    assert tasks.report_prune_schedule.task_class.__name__ in {
        t.__name__ for t in HUEY._registry._periodic_tasks
    }
    schedule = tasks.report_prune_schedule.task_class().validate_datetime
    assert schedule(datetime(2026, 1, 5, 2, 15))
    assert not schedule(datetime(2026, 1, 5, 3, 15))


def test_cli_prune_dry_run_in_a_real_process(tmp_path):
    import subprocess
    import sys

    from tests.collector.conftest import ROOT

    def cli(*args: str) -> subprocess.CompletedProcess:
        env = {
            k: v
            for k, v in __import__("os").environ.items()
            if k not in ("DATABASE_URL", "MINECHECK_DATA", "DJANGO_SETTINGS_MODULE")
        }
        return subprocess.run(
            [sys.executable, "-m", "collector_server.cli", "--data", str(tmp_path), *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("manage", "migrate", "-v0").returncode == 0
    done = cli("reports", "prune", "--dry-run", "--days", "30")
    assert done.returncode == 0, done.stderr
    assert "would delete 0, kept 0" in done.stdout
    assert "reports" in cli("--help").stdout
