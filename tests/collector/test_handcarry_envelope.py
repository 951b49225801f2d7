"""Hand-carry files with a malformed envelope, uploaded on the real collector page (SQLite and
PostgreSQL): each is refused with a reason in Chinese, never a server error."""

from __future__ import annotations

import json

import pytest

from tests.collector.factories import make_identity, make_report, report_json


def _envelope(server, tmp_path, school) -> dict:
    from agent.transport import handcarry

    body = report_json(make_report(make_identity(f"hc-env-{server.backend}-{school.pk}")))
    data = handcarry.build(body, handcarry.install_key(tmp_path), server.enrollment_token(school))
    return json.loads(data)


@pytest.mark.parametrize("field, value", [
    ("token_prefix", "mce_\u0000abc"),  # a NUL reached the token query (PostgreSQL: 500)
    ("token_prefix", ["mce_x"]),
    ("token_prefix", 12345),
    ("token_hmac", {"a": 1}),
    ("sha256", None),
    ("report", 7),
])
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
        page, files={"file": ("bad.mcr", json.dumps(envelope).encode())},
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": page}, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    assert "bad.mcr 未导入" in answer.text
    assert not server.reports().filter(
        device__fingerprint=make_identity(f"hc-env-{server.backend}-{school.pk}").fingerprint
    ).exists()
