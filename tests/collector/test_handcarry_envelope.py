"""Hand-carry files with a malformed envelope, uploaded on the real collector page (SQLite and
PostgreSQL): each is refused with a reason in Chinese, never a server error; and random or
mutated files through the collector's import (property test, MINECHECK_FUZZ_EXAMPLES)."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.collector.factories import make_identity, make_report, report_json


def _envelope(server, tmp_path, school) -> dict:
    from agent.transport import handcarry

    body = report_json(make_report(make_identity(f"hc-env-{server.backend}-{school.pk}")))
    data = handcarry.build(body, handcarry.install_key(tmp_path), server.enrollment_token(school))
    return json.loads(data)


@pytest.mark.parametrize(
    "field, value",
    [
        ("token_prefix", "mce_\u0000abc"),  # a NUL reached the token query (PostgreSQL: 500)
        ("token_prefix", ["mce_x"]),
        ("token_prefix", 12345),
        ("token_hmac", {"a": 1}),
        ("sha256", None),
        ("report", 7),
    ],
)
def test_malformed_envelope_is_refused_on_the_page(server, tmp_path, field, value):
    bureau = server.org(f"县局env-{field}", kind="county")
    school = server.org(f"学校env-{field}", parent=bureau)
    user, password = server.user("bureau_staff", bureau)
    session = server.login(user.username, password)
    page = server.url("/distribution/handcarry/")
    session.get(page, timeout=30)
    envelope = _envelope(server, tmp_path, school)
    envelope[field] = value
    answer = session.post(
        page,
        files={"file": ("bad.mcr", json.dumps(envelope).encode())},
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": page},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text[:500]
    assert "bad.mcr 未导入" in answer.text
    assert (
        not server.reports()
        .filter(
            device__fingerprint=make_identity(f"hc-env-{server.backend}-{school.pk}").fingerprint
        )
        .exists()
    )


EXAMPLES = int(os.environ.get("MINECHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MUTATION = st.tuples(
    st.integers(0, 10**6), st.integers(1, 255), st.sampled_from(["flip", "insert", "delete"])
)


@pytest.fixture()
def genuine_file(server, tmp_path):
    """A token-authenticated hand-carry file of a computer not yet in the ledger."""
    if server.backend != "sqlite":
        pytest.skip("services called in-process use the SQLite alias")
    from agent.transport import handcarry

    school = server.org("手递变异")
    identity = make_identity(f"hc-mutated-{school.pk}")
    report = make_report(identity)
    data = handcarry.build(
        report_json(report),
        handcarry.install_key(tmp_path),
        server.enrollment_token(school, max_uses=10**6),
    )
    return data, report


def _mutated(data: bytes, mutations) -> bytes:
    for position, byte, kind in mutations:
        i = position % (len(data) + (kind == "insert"))
        if kind == "insert":
            data = data[:i] + bytes([byte]) + data[i:]
        elif kind == "delete":
            data = data[:i] + data[i + 1 :]
        else:
            data = data[:i] + bytes([data[i] ^ byte]) + data[i + 1 :]
    return data


@FUZZ
@given(st.one_of(st.binary(max_size=600), st.lists(MUTATION, min_size=1, max_size=3)))
def test_import_refuses_or_applies_only_the_genuine_report(server, genuine_file, change):
    """Random bytes and mutated genuine files through the collector's import: a refusal with
    a reason, a file held for review, or the genuine report itself, never anything else."""
    from collector_server.reports.handcarry import HandcarryRefused, import_handcarry

    data, report = genuine_file
    blob = change if isinstance(change, bytes) else _mutated(data, change)
    try:
        result = import_handcarry(blob)
    except HandcarryRefused as exc:
        assert str(exc)
        return
    assert result.report_id == str(report.report_id)
    stored = server.reports().filter(report_id=report.report_id)
    assert result.held is not None or stored.count() == 1
