"""Schemathesis against the real collector over HTTP: every endpoint of the OpenAPI, without
credentials and with a device token, an enrollment token and a signed-in session.

Checks: no 5xx, every status is documented, every answer matches its documented schema and
content type. CI runs a few examples per endpoint; `make fuzz` runs many
(MINECHECK_SCHEMATHESIS_EXAMPLES) and schemathesis's coverage phase everywhere
(MINECHECK_SCHEMATHESIS_COVERAGE=all). In CI that phase skips the report upload: it walks
boundary values of every field of the report schema, ~5 s per credential and backend, while
the report's fields are fuzzed in-process by tests/collector/test_fuzz_parsers.py.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from collector_server.openapi import openapi_spec
from tests.collector.factories import make_identity

EXAMPLES = int(os.environ.get("MINECHECK_SCHEMATHESIS_EXAMPLES", "3"))
COVERAGE_EVERYWHERE = os.environ.get("MINECHECK_SCHEMATHESIS_COVERAGE", "") == "all"
REPORTS = r"^/api/v1/reports$"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
AUTH_MODES = ["anonymous", "device_token", "enrollment_token", "session"]
# What /api/v1/openapi.json serves, loaded twice so the report upload has its own phases.
schema = schemathesis.openapi.from_dict(openapi_spec()).exclude(path_regex=REPORTS)
reports_schema = schemathesis.openapi.from_dict(openapi_spec()).include(path_regex=REPORTS)
reports_schema.config.phases.coverage.enabled = COVERAGE_EVERYWHERE


@dataclass
class Credentials:
    mode: str
    headers: dict[str, str] = field(default_factory=dict)
    session: requests.Session | None = None
    enrollment_token: str | None = None


@pytest.fixture(scope="module", params=AUTH_MODES)
def credentials(request, server) -> Credentials:
    """One organisation per mode with what that mode needs (created like the other tests)."""
    org = server.org(f"fuzz-{request.param}")
    mode = request.param
    if mode == "device_token":
        token = server.enrolled(org, make_identity(f"schemathesis-{org.pk}"))
        return Credentials(mode, headers={"Authorization": f"Bearer {token}"})
    if mode == "enrollment_token":
        return Credentials(mode, enrollment_token=server.enrollment_token(org, max_uses=1000))
    if mode == "session":
        user, password = server.user("bureau_admin", org)
        return Credentials(mode, session=server.login(user.username, password))
    return Credentials(mode)


def _mode_applies(case, mode: str) -> bool:
    """Anonymous everywhere; otherwise only the credentials the operation's security names."""
    if mode == "anonymous":
        return True
    schemes = {name for req in case.operation.definition.raw.get("security", []) for name in req}
    wanted = {"device_token": "deviceToken", "session": "session"}.get(mode)
    if wanted is None:  # enrollment token: the operations without a security scheme (enroll)
        return not schemes
    return wanted in schemes


def _with_enrollment_token(case, token: str | None) -> None:
    """Put a real enrollment token into generated enroll bodies that carry the field."""
    if token and isinstance(case.body, dict) and "enrollment_token" in case.body:
        case.body["enrollment_token"] = token


def _call_and_validate(case, server, credentials: Credentials) -> None:
    if not _mode_applies(case, credentials.mode):
        pytest.skip(f"{credentials.mode} is not a credential of this operation")
    _with_enrollment_token(case, credentials.enrollment_token)
    case.call_and_validate(
        base_url=server.base_url,
        session=credentials.session,
        headers=credentials.headers,
        checks=CHECKS,
        timeout=30,
    )


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_matches_openapi(case, server, credentials):
    _call_and_validate(case, server, credentials)


@reports_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_report_upload_matches_openapi(case, server, credentials):
    _call_and_validate(case, server, credentials)


def test_both_schemas_together_cover_every_operation():
    """The split above leaves no operation out (and tests the upload in exactly one)."""

    def labels(s):
        return {result.ok().label for result in s.get_all_operations()}

    everything = labels(schemathesis.openapi.from_dict(openapi_spec()))
    assert "POST /api/v1/reports" in labels(reports_schema)
    assert labels(schema) | labels(reports_schema) == everything
    assert not labels(schema) & labels(reports_schema)
