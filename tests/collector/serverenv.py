"""A running collector plus helpers to seed its database and talk to its API."""

from __future__ import annotations

import gzip
import re
import secrets
from dataclasses import dataclass
from typing import Any

import requests

from agent.wire.report import DeviceIdentity, Report


@dataclass
class ServerEnv:
    base_url: str
    alias: str  # Django database alias in the test process that the server also uses
    backend: str

    # --- seeding (directly in the database the server uses) -----------------------------

    def org(self, name: str, kind: str = "school", parent=None):
        from collector_server.ledger.models import Organisation

        org = Organisation(name=f"{name}-{secrets.token_hex(3)}", kind=kind, parent=parent)
        org.save(using=self.alias)
        return org

    def enrollment_token(self, org, **kwargs) -> str:
        from collector_server.ledger.models import EnrollmentToken

        _, plain = EnrollmentToken.issue(org, using=self.alias, **kwargs)
        return plain

    def user(self, role: str, org, *, superuser: bool = False) -> tuple[Any, str]:
        from django.contrib.auth.models import User

        from collector_server.accounts.models import Profile

        username = f"u{secrets.token_hex(4)}"
        password = secrets.token_urlsafe(12)
        manager = User.objects.db_manager(self.alias)
        create = manager.create_superuser if superuser else manager.create_user
        user = create(username=username, password=password)
        Profile.objects.using(self.alias).create(user=user, role=role, organisation=org)
        return user, password

    def devices(self):
        from collector_server.ledger.models import Device

        return Device.objects.using(self.alias)

    def reports(self):
        from collector_server.reports.models import Report as ReportRow

        return ReportRow.objects.using(self.alias)

    # --- HTTP -------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def enroll(
        self, token: str, identity: DeviceIdentity, ledger: dict | None = None
    ) -> requests.Response:
        body = {"enrollment_token": token, "device": identity.model_dump(mode="json")}
        if ledger:
            body["ledger"] = ledger
        return requests.post(self.url("/api/v1/enroll"), json=body, timeout=30)

    def enrolled(self, org, identity: DeviceIdentity, ledger: dict | None = None) -> str:
        """Enroll ``identity`` into ``org``; returns the device token."""
        response = self.enroll(self.enrollment_token(org), identity, ledger)
        assert response.status_code in (200, 201), response.text
        return response.json()["device_token"]

    def upload(
        self,
        device_token: str,
        report: Report | bytes,
        *,
        gzip_body: bool = False,
        headers: dict | None = None,
    ) -> requests.Response:
        raw = report if isinstance(report, bytes) else report.model_dump_json().encode()
        hdrs = {
            "Authorization": f"Bearer {device_token}",
            "Content-Type": "application/json",
            **(headers or {}),
        }
        if gzip_body:
            raw = gzip.compress(raw)
            hdrs["Content-Encoding"] = "gzip"
        return requests.post(self.url("/api/v1/reports"), data=raw, headers=hdrs, timeout=30)

    def login(self, username: str, password: str) -> requests.Session:
        """A browser-like session signed in through the login form (CSRF included)."""
        session = requests.Session()
        page = session.get(self.url("/accounts/login/"), timeout=30)
        assert page.status_code == 200, page.status_code
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, "login form without CSRF token"
        response = session.post(
            self.url("/accounts/login/"),
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": match.group(1),
            },
            headers={"Referer": self.url("/accounts/login/")},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302, f"login failed: {response.status_code}"
        return session
