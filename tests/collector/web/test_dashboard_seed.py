"""Seeding helpers shared by the dashboard, ledger import/export and browser tests (no tests)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.utils import timezone


def make_device(alias: str, org, hostname: str, **fields):
    """A ledger row written straight into the database the server uses."""
    from collector_server.ledger.models import Device

    n = secrets.token_hex(6)
    mac = fields.pop("mac", ":".join(n[i : i + 2] for i in range(0, 12, 2)))
    octets = ".".join(str(secrets.randbelow(250)) for _ in range(3))
    ip = fields.pop("ip", f"10.{octets}")
    values = {
        "fingerprint": f"test-{n}",
        "hostname": hostname,
        "organisation": org,
        "macs": [mac],
        "mac_key": mac,
        "ip_addresses": [ip],
        "network_text": f"{ip} {mac}",
        "last_seen": timezone.now() - timedelta(hours=1),
        "last_verdict": "clean",
    }
    values.update(fields)
    return Device.objects.using(alias).create(**values)


@dataclass
class County:
    """A county bureau with two schools, users of each role and a few devices per school."""

    bureau: object
    school_a: object
    school_b: object
    users: dict  # role key -> (user, password)
    devices_a: list
    devices_b: list
    sessions: dict  # role key -> logged-in requests.Session (logging in costs ~1 s: PBKDF2)


def seed_county(server, per_school: int = 3) -> County:
    tag = secrets.token_hex(2)
    bureau = server.org("县教育局", kind="county")
    school_a = server.org("实验中学", parent=bureau)
    school_b = server.org("城关小学", parent=bureau)
    devices_a = [
        make_device(
            server.alias, school_a, f"A{tag}-PC{i:02d}", location=f"机房{i}", department="信息中心"
        )
        for i in range(per_school)
    ]
    devices_b = [
        make_device(
            server.alias,
            school_b,
            f"B{tag}-PC{i:02d}",
            last_verdict="mining",
            last_mode="passive",
            high_performance=True,
            high_performance_reason="GPU RTX 4090",
            gpu_models="NVIDIA GeForce RTX 4090",
        )
        for i in range(per_school)
    ]
    users = {
        "bureau": server.user("bureau_staff", bureau),
        "school_a": server.user("school_staff", school_a),
        "viewer": server.user("viewer", bureau),
    }
    county = County(bureau, school_a, school_b, users, devices_a, devices_b, {})
    for key, (user, password) in users.items():
        county.sessions[key] = server.login(user.username, password)
    return county


def csrf_token(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def post_form(
    session: requests.Session, page_url: str, action_url: str, data: dict, files: dict | None = None
) -> requests.Response:
    """POST like the browser does: CSRF token from the page, Referer header set."""
    token = csrf_token(session, page_url)
    return session.post(
        action_url,
        data={**data, "csrfmiddlewaretoken": token},
        files=files,
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=60,
    )
