"""Two regulators over the real server: the culture and tourism bureau (文广旅体局) sees its
internet cafés and nothing of the schools; the education bureau sees the schools and not the
cafés; a user of their common parent sees both. Every page family is checked over HTTP."""

from __future__ import annotations

import secrets

import pytest
from django.utils import timezone

from tests.collector.compliance_seed import person
from tests.collector.factories import make_identity, make_report


@pytest.fixture(scope="module")
def two(server):
    from collector_server.compliance.models import Pledge
    from collector_server.notices.models import Case, Notice

    tag = secrets.token_hex(3)
    county = server.org("某县", kind="city")  # the common parent of the two bureaus
    education = server.org("县教育局", kind="county", parent=county)
    culture = server.org("县文广旅体局", kind="culture", parent=county)
    school = server.org("实验中学", parent=education)
    cafe = server.org("星空网吧", kind="cafe", parent=culture)
    hosts = {"school": f"SCHOOL{tag}-PC", "cafe": f"CAFE{tag}-PC"}
    devices, tokens = {}, {}
    for key, org in (("school", school), ("cafe", cafe)):
        identity = make_identity(f"regulators-{key}-{tag}", hostname=hosts[key])
        # the café's own enrollment token: its report lands in the café's ledger
        token = tokens[key] = server.enrolled(org, identity)
        assert server.upload(token, make_report(identity, findings=1)).status_code == 201
        devices[key] = server.devices().get(fingerprint=identity.fingerprint)
    assert devices["cafe"].organisation_id == cafe.pk
    names = {"school": f"教师{tag}", "cafe": f"网管{tag}"}
    for key, org in (("school", school), ("cafe", cafe)):
        signer = person(server.alias, org, names[key], "staff", [devices[key]])
        Pledge.objects.using(server.alias).create(
            organisation=org,
            person=signer,
            signed_on=timezone.localdate(),
            scan_file="x",
            scan_name=f"{key}.pdf",
            scan_type="application/pdf",
            uploaded_at=timezone.now(),
        )
    if server.alias == "default":
        now = timezone.now()
        for key, org, bureau in (("school", school, education), ("cafe", cafe, culture)):
            notice = Notice.objects.create(
                organisation=bureau, source="police", number=f"通报{tag}-{key}", received_at=now
            )
            case = Case.objects.create(notice=notice, organisation=org, received_at=now)
            case.devices.set([devices[key]])
        from collector_server.compliance.review import generate_review, previous_week

        for org in (school, cafe):
            generate_review(org, previous_week())
    sessions = {}
    for key, org in (("education", education), ("culture", culture), ("both", county)):
        user, password = server.user("bureau_staff", org)
        sessions[key] = server.login(user.username, password)
    return {
        "tokens": tokens,
        "bureaus": {"education": education, "culture": culture},
        "hosts": hosts,
        "people": names,
        "sessions": sessions,
        "devices": devices,
        "orgs": {"school": school, "cafe": cafe},
    }


PAGES = [
    "/ledger/",
    "/ledger/export.csv",
    "/findings/",
    "/api/v1/devices?limit=1000",
    "/compliance/people/",
    "/compliance/people/export.xlsx",
    "/compliance/pledges/",
    "/",
]


def _body(response) -> str:
    if response.headers.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
        )
    return response.content.decode("utf-8", "replace")


@pytest.mark.parametrize("path", PAGES)
def test_each_regulator_sees_only_its_own_units(server, two, path):
    hosts, people = two["hosts"], two["people"]
    seen = {}
    for key, session in two["sessions"].items():
        response = session.get(server.url(path), timeout=60)
        assert response.status_code == 200, (key, path, response.status_code)
        seen[key] = _body(response)
    marks = people if path.startswith(("/compliance/people", "/compliance/pledges")) else hosts
    if path == "/":
        marks = {k: two["orgs"][k].name for k in ("school", "cafe")}
    assert marks["cafe"] in seen["culture"] and marks["school"] not in seen["culture"]
    assert marks["school"] in seen["education"] and marks["cafe"] not in seen["education"]
    assert marks["school"] in seen["both"] and marks["cafe"] in seen["both"]


def test_weekly_reviews_of_one_regulator_are_hidden_from_the_other(server, two):
    if server.alias != "default":
        pytest.skip("reviews are generated on the default database")
    from collector_server.compliance.models import WeeklyReview

    names = {k: two["orgs"][k].name for k in ("school", "cafe")}
    for key, own, other in (("culture", "cafe", "school"), ("education", "school", "cafe")):
        session = two["sessions"][key]
        listing = session.get(server.url("/compliance/reviews/"), timeout=30).text
        assert names[own] in listing and names[other] not in listing
        theirs = WeeklyReview.objects.get(organisation=two["orgs"][other])
        assert (
            session.get(server.url(f"/compliance/reviews/{theirs.pk}/"), timeout=30).status_code
            == 404
        )
    both = two["sessions"]["both"].get(server.url("/compliance/reviews/"), timeout=30).text
    assert names["school"] in both and names["cafe"] in both


def test_cases_and_device_pages_are_404_across_regulators(server, two):
    culture, education = two["sessions"]["culture"], two["sessions"]["education"]
    for session, own, other in ((culture, "cafe", "school"), (education, "school", "cafe")):
        mine = two["devices"][own].pk
        theirs = two["devices"][other].pk
        assert session.get(server.url(f"/api/v1/devices/{mine}"), timeout=30).status_code == 200
        assert session.get(server.url(f"/api/v1/devices/{theirs}"), timeout=30).status_code == 404
        assert session.get(server.url(f"/devices/{theirs}/"), timeout=30).status_code == 404
    if server.alias != "default":
        pytest.skip("cases are seeded on the default database")
    from collector_server.notices.models import Case

    for session, own, other in ((culture, "cafe", "school"), (education, "school", "cafe")):
        listing = session.get(server.url("/notices/cases/"), timeout=30).text
        assert two["orgs"][own].name in listing and two["orgs"][other].name not in listing
        theirs = Case.objects.get(organisation=two["orgs"][other])
        assert (
            session.get(server.url(f"/notices/cases/{theirs.pk}/"), timeout=30).status_code == 404
        )
    both = two["sessions"]["both"].get(server.url("/notices/cases/"), timeout=30).text
    assert two["orgs"]["cafe"].name in both and two["orgs"]["school"].name in both


def test_tipoff_set_by_the_culture_bureau_reaches_only_its_cafes(server, two):
    import requests

    from tests.collector.compliance_seed import post

    culture = two["bureaus"]["culture"]
    url = server.url(f"/orgs/{culture.pk}/report-contact/")
    org_page = two["sessions"]["culture"].get(server.url(f"/orgs/{culture.pk}/"), timeout=30)
    assert f'href="/orgs/{culture.pk}/report-contact/"' in org_page.text  # reachable by a link
    assert two["sessions"]["education"].get(url, timeout=30).status_code == 404
    saved = post(
        two["sessions"]["culture"],
        url,
        {"report_phone": "12318", "report_address": "文化市场综合执法大队"},
    )
    assert saved.status_code == 302
    page = two["sessions"]["culture"].get(url, timeout=30).text
    assert "12318" in page.split('data-testid="effective"', 1)[1]

    def config(key):
        answer = requests.get(
            server.url("/api/v1/config"),
            timeout=30,
            headers={"Authorization": f"Bearer {two['tokens'][key]}"},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    cafe = config("cafe")
    assert (cafe["report_phone"], cafe["report_address"]) == ("12318", "文化市场综合执法大队")
    school = config("school")
    assert (school["report_phone"], school["report_address"]) == ("", "")
    # the café's own setting wins over the bureau's; an empty field falls back to it
    cafe_url = server.url(f"/orgs/{two['orgs']['cafe'].pk}/report-contact/")
    assert (
        post(
            two["sessions"]["culture"], cafe_url, {"report_phone": "0571-1", "report_address": ""}
        ).status_code
        == 302
    )
    cafe = config("cafe")
    assert (cafe["report_phone"], cafe["report_address"]) == ("0571-1", "文化市场综合执法大队")
