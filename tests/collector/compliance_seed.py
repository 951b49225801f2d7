"""Seeding shared by the compliance tests: a county with two schools, people, sessions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.collector.web.test_dashboard_seed import County, seed_county

ROOT_DIR = Path(__file__).resolve().parents[2]


@dataclass
class ComplianceCounty:
    county: County
    school_b_session: object
    people_a: list
    people_b: list


def person(alias: str, org, name: str, role: str = "staff", devices=(), phone: str = ""):
    from collector_server.compliance.models import Person

    row = Person.objects.using(alias).create(organisation=org, name=name, role=role, phone=phone)
    if devices:
        row.devices.set(devices)
    return row


def seed(server) -> ComplianceCounty:
    county = seed_county(server)
    user_b, password_b = server.user("school_staff", county.school_b)
    people_a = [
        person(server.alias, county.school_a, "王甲", "operator", county.devices_a[:1]),
        person(server.alias, county.school_a, "李乙"),
    ]
    people_b = [person(server.alias, county.school_b, "赵丙", "other", county.devices_b[:1])]
    return ComplianceCounty(county, server.login(user_b.username, password_b), people_a, people_b)


def csrf(session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post(session, url: str, data: dict, files: dict | None = None, page: str | None = None):
    """POST like the browser: CSRF token from ``page`` (default ``url``), Referer set."""
    page = page or url
    token = csrf(session, page)
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        files=files,
        headers={"Referer": page},
        allow_redirects=False,
        timeout=60,
    )
