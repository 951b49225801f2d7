"""Bad input over real HTTP: each is a 4xx with a JSON message, never a 500 (issue 12 item 6)."""

from __future__ import annotations

import base64
import json

import pytest
import requests

from tests.collector.factories import make_identity, make_report, report_json
from tests.collector.web.test_dashboard_seed import seed_county


@pytest.fixture(scope="module")
def device(server):
    school = server.org("坏输入中学")
    identity = make_identity(f"badin-{server.backend}")
    return identity, server.enrolled(school, identity)


def _report_dict(identity) -> dict:
    return make_report(identity, findings=1).model_dump(mode="json")


def _assert_4xx_json(response, *needles: str):
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    detail = response.json()["detail"]
    for needle in needles:
        assert needle in detail, detail


@pytest.mark.parametrize(
    "value, needle",
    [
        (-1, "hardware.memory.total_mb"),
        (2**63, "hardware.memory.total_mb"),
        (2**31, "hardware.memory.total_mb"),
    ],
)
def test_memory_size_out_of_range_is_422(server, device, value, needle):
    identity, token = device
    body = _report_dict(identity)
    body["hardware"]["memory"]["total_mb"] = value
    _assert_4xx_json(server.upload(token, json.dumps(body).encode()), needle)


def test_nan_memory_size_is_422(server, device):
    identity, token = device
    body = _report_dict(identity)
    body["hardware"]["memory"]["total_mb"] = float("nan")
    raw = json.dumps(body).encode()  # Python writes a bare NaN token
    assert b"NaN" in raw
    _assert_4xx_json(server.upload(token, raw), "hardware.memory.total_mb")


@pytest.mark.parametrize(
    "started_at, needle",
    [
        ("2026-05-01T08:00:00", "timezone"),
        ("0001-01-01T00:00:00+14:00", "started_at"),
        ("9999-12-31T23:59:59-14:00", "started_at"),
    ],
)
def test_naive_or_out_of_range_started_at_is_422(server, device, started_at, needle):
    identity, token = device
    body = _report_dict(identity)
    body["started_at"] = started_at
    _assert_4xx_json(server.upload(token, json.dumps(body).encode()), needle)


@pytest.mark.parametrize("where", ["hostname", "os", "finding"])
def test_nul_in_a_string_is_422(server, device, where):
    identity, token = device
    body = _report_dict(identity)
    if where == "hostname":
        body["device"]["hostname"] = "PC\x00-01"
    elif where == "os":
        body["hardware"]["os"]["name"] = "Windows\x00"
    else:
        body["findings"][0]["subject"] = {"exe": "C:\\x\x00.exe"}
    _assert_4xx_json(server.upload(token, json.dumps(body).encode()), "NUL")


def test_lone_surrogate_is_422(server, device):
    identity, token = device
    body = json.dumps(_report_dict(identity)).replace('"hostname": "', '"hostname": "\\ud800x', 1)
    _assert_4xx_json(server.upload(token, body.encode()))  # the JSON parser refuses it


def test_overlong_fingerprint_at_enroll_is_422(server):
    school = server.org("长指纹中学")
    identity = make_identity(f"long-{server.backend}").model_dump(mode="json")
    identity["fingerprint"] = "f" * 5000
    response = requests.post(
        server.url("/api/v1/enroll"),
        json={"enrollment_token": server.enrollment_token(school), "device": identity},
        timeout=30,
    )
    _assert_4xx_json(response, "device.fingerprint")


@pytest.fixture(scope="module")
def county(server):
    return seed_county(server, per_school=1)


def test_huge_ledger_cursor_and_nul_search_are_not_500(server, county):
    session = county.sessions["bureau"]
    huge = base64.urlsafe_b64encode(json.dumps([10**30, "x", 10**30]).encode()).decode()
    for params in (
        {"after": huge},
        {"before": huge},
        {"q": "\x00"},
        {"q": "a\x00b", "after": huge},
    ):
        page = session.get(server.url("/ledger/"), params=params, timeout=30)
        assert page.status_code == 200, (params, page.status_code)


@pytest.mark.parametrize(
    "query", ["offset=99999999999999999999999", "offset=-1", "limit=0", "limit=abc", "offset=1e3"]
)
def test_device_list_bad_paging_is_400_json(server, county, query):
    session = county.sessions["bureau"]
    response = session.get(server.url(f"/api/v1/devices?{query}"), timeout=30)
    assert response.status_code == 400, (query, response.status_code, response.text[:200])
    assert response.json()["error"] == "bad_request"


def test_device_list_in_range_paging_still_works(server, county):
    session = county.sessions["bureau"]
    response = session.get(server.url("/api/v1/devices?offset=0&limit=1000"), timeout=30)
    assert response.status_code == 200 and response.json()["offset"] == 0


@pytest.mark.parametrize(
    "path",
    ["/api/v1/devices/abc", "/api/v1/no-such-endpoint", "/api/v1/devices/99999999999999999999999"],
)
def test_unknown_api_paths_answer_json_404(server, county, path):
    response = county.sessions["bureau"].get(server.url(path), timeout=30)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    assert response.json()["error"] == "not_found"


def test_api_wrong_method_answers_json_405(server):
    response = requests.delete(server.url("/api/v1/reports"), timeout=30)
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_handcarry_file_with_a_naive_date_is_refused(server, tmp_path):
    if server.backend != "sqlite":
        pytest.skip("services called in-process use the SQLite alias")
    from agent.transport import handcarry
    from collector_server.reports.handcarry import HandcarryRefused, import_handcarry

    school = server.org("手递网吧")
    identity = make_identity(f"hc-naive-{school.pk}")
    body = json.loads(report_json(make_report(identity)))
    body["started_at"] = "2026-05-01T08:00:00"
    data = handcarry.build(
        json.dumps(body).encode(), handcarry.install_key(tmp_path), server.enrollment_token(school)
    )
    with pytest.raises(HandcarryRefused, match="not a valid minecheck report"):
        import_handcarry(data)
    assert not server.devices().filter(fingerprint=identity.fingerprint).exists()
