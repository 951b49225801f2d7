"""Weekly review over the real server: a frozen snapshot, texts then lock, XLSX/PDF read back,
the ranking, role isolation, the management command, the job kind and the due panel."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.collector.compliance_seed import ROOT_DIR, post, seed
from tests.collector.factories import make_identity, make_report


@pytest.fixture(scope="module")
def cc(server):
    cc = seed(server)
    identity = make_identity(f"review-a-{cc.county.school_a.pk}")
    token = server.enrolled(cc.county.school_a, identity)
    assert server.upload(token, make_report(identity)).status_code == 201
    return cc


def _week() -> str:
    from collector_server.compliance.review import current_week

    return current_week()


def _generate(server, cc, week: str):
    bureau = cc.county.sessions["bureau"]
    response = post(
        bureau,
        server.url("/compliance/reviews/generate"),
        {"week": week},
        page=server.url("/compliance/reviews/"),
    )
    assert response.status_code == 302, response.text[:2000]


def _review(server, org):
    from collector_server.compliance.models import WeeklyReview

    return WeeklyReview.objects.using(server.alias).get(organisation=org, week=_week())


def _command(django_dbs, server, week: str) -> str:
    info = django_dbs[server.alias]
    env = {
        **os.environ,
        "MINECHECK_DATA": str(info["data"]),
        "DJANGO_SETTINGS_MODULE": "collector_server.settings",
    }
    env.pop("DATABASE_URL", None)
    if info["database_url"]:
        env["DATABASE_URL"] = info["database_url"]
    done = subprocess.run(
        [sys.executable, "-m", "django", "weekly_review", "--week", week],
        env=env,
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _metrics_table(html: str) -> str:
    return html.split('id="review-metrics"', 1)[1].split("</table>", 1)[0]


def test_week_is_frozen_after_new_uploads(server, cc, django_dbs):
    from collector_server.compliance.models import WeeklyReview

    week = _week()
    _generate(server, cc, week)
    school = _review(server, cc.county.school_a)
    bureau_review = _review(server, cc.county.bureau)
    assert school.snapshot["metrics"]["devices_reporting"] == 1
    assert school.snapshot["metrics"]["devices_in_ledger"] == 4
    assert school.snapshot["metrics"]["coverage_pct"] == 25.0
    assert len(school.snapshot["trend"]) == 9 and school.snapshot["trend"][-1]["week"] == week
    session = cc.county.sessions["school_a"]
    page = session.get(server.url(f"/compliance/reviews/{school.pk}/"), timeout=30)
    assert page.status_code == 200 and "<svg" in page.text
    before_html = _metrics_table(page.text)
    before_xlsx = [
        list(r)
        for r in load_workbook(
            io.BytesIO(
                session.get(server.url(f"/compliance/reviews/{school.pk}.xlsx"), timeout=30).content
            )
        ).active.iter_rows(values_only=True)
    ]

    # new reports this week: one more device reporting, one mining
    for i in range(2):
        identity = make_identity(f"review-late-{cc.county.school_a.pk}-{i}")
        token = server.enrolled(cc.county.school_a, identity)
        report = make_report(identity, findings=1) if i else make_report(identity)
        assert server.upload(token, report).status_code == 201
    assert f"{week}: " in _command(django_dbs, server, week)  # other modules' orgs get theirs
    _generate(server, cc, week)

    again = WeeklyReview.objects.using(server.alias).get(pk=school.pk)
    assert again.snapshot == school.snapshot
    assert (
        WeeklyReview.objects.using(server.alias).get(pk=bureau_review.pk).snapshot
        == bureau_review.snapshot
    )
    page = session.get(server.url(f"/compliance/reviews/{school.pk}/"), timeout=30)
    assert _metrics_table(page.text) == before_html
    after_xlsx = [
        list(r)
        for r in load_workbook(
            io.BytesIO(
                session.get(server.url(f"/compliance/reviews/{school.pk}.xlsx"), timeout=30).content
            )
        ).active.iter_rows(values_only=True)
    ]
    assert after_xlsx == before_xlsx
    if server.alias == "default":  # the same week computed afresh now would differ
        from collector_server.compliance.review import compute_snapshot, parse_week

        fresh = compute_snapshot(cc.county.school_a, parse_week(week))
        assert fresh["metrics"]["devices_reporting"] == 3
        assert fresh["metrics"]["active_mining"] + fresh["metrics"]["passive_mining"] == 1


def test_ranking_xlsx_and_pdf(server, cc):
    week = _week()
    _generate(server, cc, week)
    review = _review(server, cc.county.bureau)
    names = [s["name"] for s in review.snapshot["schools"]]
    assert names == [cc.county.school_a.name, cc.county.school_b.name]  # A reports, B does not
    assert review.snapshot["schools"][1]["weak"] is True
    bureau = cc.county.sessions["bureau"]
    wb = load_workbook(
        io.BytesIO(
            bureau.get(server.url(f"/compliance/reviews/{review.pk}.xlsx"), timeout=30).content
        )
    )
    assert wb.sheetnames == ["每周研判", "趋势", "排名"]
    first = {r[0]: r[1] for r in wb["每周研判"].iter_rows(values_only=True) if r and r[0]}
    assert first["覆盖率（%）"] == review.snapshot["metrics"]["coverage_pct"]
    assert first["应签订人数"] == 3
    ranking = list(wb["排名"].iter_rows(values_only=True))
    assert ranking[0][:2] == ("名次", "单位")
    assert [r[:2] for r in ranking[1:]] == [(1, names[0]), (2, names[1])]
    assert ranking[2][-1] == "是"
    pdf = bureau.get(server.url(f"/compliance/reviews/{review.pk}.pdf"), timeout=60)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = "".join(
        "".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert f"每周研判{week}" in text and "学校排名" in text
    assert names[0] in text and names[1] in text and "措施调整" in text


def test_texts_then_lock_and_no_edits_after(server, cc):
    from collector_server.compliance.models import WeeklyReview

    _generate(server, cc, _week())
    review = _review(server, cc.county.bureau)
    url = server.url(f"/compliance/reviews/{review.pk}/")
    bureau = cc.county.sessions["bureau"]
    texts = {
        "experience": "机房巡查到位",
        "problems": "城关小学客户端未上报",
        "adjustments": "下周逐台登记",
    }
    assert post(bureau, url, {**texts, "action": "save"}).status_code == 302
    assert post(bureau, url, {**texts, "action": "lock"}).status_code == 302
    locked = WeeklyReview.objects.using(server.alias).get(pk=review.pk)
    assert locked.locked_at is not None and locked.problems == "城关小学客户端未上报"
    page = bureau.get(url, timeout=30).text
    assert 'id="review-form"' not in page and 'id="review-locked"' in page
    token_page = server.url("/compliance/reviews/")
    refused = post(
        bureau, url, {"experience": "改过", "problems": "", "adjustments": ""}, page=token_page
    )
    assert refused.status_code == 409 and "已锁定" in refused.text
    assert WeeklyReview.objects.using(server.alias).get(pk=review.pk).experience == "机房巡查到位"
    xlsx = load_workbook(
        io.BytesIO(
            bureau.get(server.url(f"/compliance/reviews/{review.pk}.xlsx"), timeout=30).content
        )
    )
    cells = {r[0]: r[1] for r in xlsx["每周研判"].iter_rows(values_only=True) if r and r[0]}
    assert cells["经验"] == "机房巡查到位" and cells["措施调整"] == "下周逐台登记"
    # a school cannot write the bureau's conclusions of its own review either
    school_review = _review(server, cc.county.school_a)
    school_url = server.url(f"/compliance/reviews/{school_review.pk}/")
    assert (
        post(
            cc.county.sessions["school_a"],
            school_url,
            {"experience": "x", "problems": "", "adjustments": ""},
        ).status_code
        == 403
    )


def test_reviews_are_isolated_between_schools(server, cc):
    _generate(server, cc, _week())
    a_review = _review(server, cc.county.school_a)
    bureau_review = _review(server, cc.county.bureau)
    b = cc.school_b_session
    for path in (
        f"/compliance/reviews/{a_review.pk}/",
        f"/compliance/reviews/{a_review.pk}.pdf",
        f"/compliance/reviews/{bureau_review.pk}.xlsx",
    ):
        assert b.get(server.url(path), timeout=30).status_code == 404, path
    listing = b.get(server.url(f"/compliance/reviews/?week={_week()}"), timeout=30).text
    assert cc.county.school_b.name in listing and cc.county.school_a.name not in listing
    refused = post(
        b,
        server.url("/compliance/reviews/generate"),
        {"week": _week()},
        page=server.url("/compliance/reviews/"),
    )
    assert refused.status_code == 403


def test_due_panel_on_the_overview_links_to_the_lists(server, cc):
    from collector_server.compliance.review import previous_week

    page = cc.county.sessions["school_a"].get(server.url("/"), timeout=30).text
    assert 'id="due-this-week"' in page
    card = page.split('data-testid="due-pledges_missing"', 1)[1].split("</a>", 1)[0]
    assert '<div class="num" style="color:#c62828">2</div>' in card  # 王甲, 李乙 unsigned
    assert 'href="/compliance/people/?pledge=missing"' in page
    assert 'data-testid="due-review_not_done"' not in page  # a school writes no review
    bureau = cc.county.sessions["bureau"].get(server.url("/"), timeout=30).text
    card = bureau.split('data-testid="due-pledges_missing"', 1)[1].split("</a>", 1)[0]
    assert ">3</div>" in card
    assert f'href="/compliance/reviews/?week={previous_week()}"' in bureau


def test_job_kind_and_weekly_schedule(server, cc):
    if server.alias != "default":
        pytest.skip("the job runs on the default database")
    from huey.contrib.djhuey import HUEY

    from collector_server.compliance.models import WeeklyReview
    from collector_server.jobs.models import Job, JobState
    from collector_server.jobs.services import execute

    job = Job.objects.create(kind="weekly_review", params={"week": "2026-W40"})
    execute(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.done, job.error
    assert WeeklyReview.objects.filter(week="2026-W40", organisation=cc.county.school_b).exists()
    monday = [t.name for t in HUEY.read_periodic(datetime(2026, 11, 30, 1, 30))]
    tuesday = [t.name for t in HUEY.read_periodic(datetime(2026, 12, 1, 1, 30))]
    assert any("weekly_review" in name for name in monday), monday
    assert not any("weekly_review" in name for name in tuesday), tuesday


def test_snapshot_cannot_be_rewritten_and_future_weeks_are_refused(server, cc):
    if server.alias != "default":
        pytest.skip("the review services run on the default database")
    from collector_server.compliance.models import LockedReviewError, WeeklyReview
    from collector_server.compliance.review import WeekError, generate_review

    review, created = generate_review(cc.county.school_b, "2026-W41")
    assert created and not generate_review(cc.county.school_b, "2026-W41")[1]
    review.snapshot = {**review.snapshot, "metrics": {}}
    with pytest.raises(LockedReviewError):
        review.save()
    assert WeeklyReview.objects.get(pk=review.pk).snapshot["metrics"]
    with pytest.raises(WeekError):
        generate_review(cc.county.school_b, "2099-W01")
    with pytest.raises(WeekError):
        generate_review(cc.county.school_b, "2026-W60")
