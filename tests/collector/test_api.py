"""The agent API over real HTTP against the real server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid
from datetime import datetime, timedelta, timezone

import requests

from tests.collector.factories import make_identity, make_report


def test_enroll_upload_device_appears_with_hardware(server):
    school = server.org("一中")
    identity = make_identity(f"appear-{server.backend}", hostname="LAB-A-01")
    enrolled = server.enroll(
        server.enrollment_token(school),
        identity,
        {"location": "实验楼301", "department": "信息中心"},
    )
    assert enrolled.status_code == 201, enrolled.text
    body = enrolled.json()
    assert body["created"] is True and body["organisation"]["id"] == school.pk
    assert body["config"]["scan_interval_minutes"] > 0
    report = make_report(identity, findings=2)
    response = server.upload(body["device_token"], report)
    assert response.status_code == 201, response.text
    assert response.json()["verdict"] == "mining" and response.json()["findings"] == 2

    device = server.devices().get(pk=body["device_id"])
    assert device.organisation_id == school.pk
    assert device.hostname == "LAB-A-01"
    assert device.location == "实验楼301" and device.department == "信息中心"
    assert device.cpu_model.startswith("Intel(R) Core(TM) i5-9500")
    assert device.gpu_models == "NVIDIA GeForce RTX 3060"
    assert device.high_performance and "RTX 3060" in device.high_performance_reason
    assert device.memory_mb == 16384
    assert "10.12.3.45" in device.ip_addresses and "10.12.3.45" in device.network_text
    assert device.public_ip == "127.0.0.1"
    assert device.last_verdict == "mining" and device.last_mode == "passive"
    assert device.hardware["cpu"]["logical_cores"] == 6
    row = server.reports().get(report_id=report.report_id)
    assert row.device_id == device.pk and row.finding_count == 2
    assert row.source_ip == "127.0.0.1"
    assert row.raw_json()["report_id"] == str(report.report_id)
    kinds = sorted(row.findings.values_list("kind", flat=True))
    assert kinds == ["miner_cmdline", "pool_connection"]
    finding = row.findings.get(kind="pool_connection")
    assert finding.title_zh.startswith("连接到已知矿池") and "svchost.exe" in finding.subject


def test_reupload_is_idempotent(server):
    school = server.org("二中")
    identity = make_identity(f"idem-{server.backend}")
    token = server.enrolled(school, identity)
    report = make_report(identity, findings=1)
    first = server.upload(token, report)
    second = server.upload(token, report, gzip_body=True)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second.headers.get("X-Minecheck-Duplicate") == "1"
    assert server.reports().filter(report_id=report.report_id).count() == 1
    from collector_server.reports.models import Finding

    assert (
        Finding.objects.using(server.alias).filter(report__report_id=report.report_id).count() == 1
    )


def test_gzip_upload(server):
    school = server.org("三中")
    identity = make_identity(f"gzip-{server.backend}")
    token = server.enrolled(school, identity)
    report = make_report(identity, processes=120)
    response = server.upload(token, report, gzip_body=True)
    assert response.status_code == 201, response.text
    row = server.reports().get(report_id=report.report_id)
    assert len(row.raw_json()["utilization"]["top_processes"]) == 120


def test_unknown_or_revoked_token_is_401(server):
    school = server.org("四中")
    identity = make_identity(f"401-{server.backend}")
    token = server.enrolled(school, identity)
    report = make_report(identity)
    assert server.upload("mcd_not-a-token", report).status_code == 401
    no_auth = requests.post(server.url("/api/v1/reports"), data=b"{}", timeout=10)
    assert no_auth.status_code == 401 and "token" in no_auth.json()["detail"]
    from collector_server.ledger.models import DeviceToken, hash_token

    DeviceToken.objects.using(server.alias).filter(token_hash=hash_token(token)).update(
        revoked=True
    )
    revoked = server.upload(token, report)
    assert revoked.status_code == 401
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")
    assert not server.reports().filter(report_id=report.report_id).exists()
    bad_enroll = server.enroll("mce_wrong", identity)
    assert bad_enroll.status_code == 401 and "enrollment token" in bad_enroll.json()["detail"]


def test_oversized_and_gzip_bomb_are_413(server):
    school = server.org("五中")
    identity = make_identity(f"413-{server.backend}")
    token = server.enrolled(school, identity)
    report = make_report(identity)
    big = report.model_dump(mode="json")
    big["extra"] = {"padding": "x" * (9 * 1024 * 1024)}
    plain = server.upload(token, json.dumps(big).encode())
    assert plain.status_code == 413, plain.text
    assert "limit" in plain.json()["detail"] and plain.json()["max_bytes"] == 8 * 1024 * 1024
    bomb = gzip.compress(b" " * (64 * 1024 * 1024))  # 64 MB of spaces in ~64 KB
    assert len(bomb) < 200_000
    response = requests.post(
        server.url("/api/v1/reports"),
        data=bomb,
        timeout=30,
        headers={"Authorization": f"Bearer {token}", "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413 and "decompressed" in response.json()["detail"]
    assert not server.reports().filter(device__fingerprint=identity.fingerprint).exists()


def test_invalid_reports_are_422_with_locations(server):
    school = server.org("六中")
    identity = make_identity(f"422-{server.backend}")
    token = server.enrolled(school, identity)
    not_json = server.upload(token, b"{this is not json")
    assert not_json.status_code == 422 and "json" in not_json.json()["detail"].lower()
    body = make_report(identity, findings=1).model_dump(mode="json")
    del body["device"]["fingerprint"]
    body["findings"][0]["strength"] = "huge"
    response = server.upload(token, json.dumps(body).encode())
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "device.fingerprint: Field required" in detail
    assert "findings.0.strength" in detail
    locs = {e["loc"] for e in response.json()["errors"]}
    assert {"device.fingerprint", "findings.0.strength"} <= locs
    future = make_report(identity).model_dump(mode="json")
    future["schema_version"] = 99
    old = server.upload(token, json.dumps(future).encode())
    assert old.status_code == 422 and "unsupported schema_version 99" in old.json()["detail"]
    assert not server.reports().filter(device__fingerprint=identity.fingerprint).exists()


def test_report_of_another_device_is_409(server):
    school = server.org("七中")
    mine, other = make_identity(f"409a-{server.backend}"), make_identity(f"409b-{server.backend}")
    token = server.enrolled(school, mine)
    response = server.upload(token, make_report(other))
    assert response.status_code == 409 and "enroll" in response.json()["detail"]


def test_person_entered_fields_survive_uploads_and_reenroll(server):
    school = server.org("八中")
    identity = make_identity(f"person-{server.backend}", hostname="OLD-NAME")
    first = server.enroll(server.enrollment_token(school), identity, {"location": "机房1"})
    device_id = first.json()["device_id"]
    server.devices().filter(pk=device_id).update(
        location="图书馆二楼", responsible_person="王老师", asset_tag="ZC-0001"
    )
    renamed = identity.model_copy(update={"hostname": "NEW-NAME"})
    again = server.enroll(
        server.enrollment_token(school),
        renamed,
        {"location": "别处", "responsible_person": "李四", "department": "教务处"},
    )
    assert again.status_code == 200, again.text
    assert again.json()["device_id"] == device_id and again.json()["created"] is False
    report = make_report(renamed)
    assert server.upload(again.json()["device_token"], report).status_code == 201
    # re-enrollment revokes the earlier device token of the same device
    stale = server.upload(first.json()["device_token"], make_report(renamed))
    assert stale.status_code == 401 and stale.json()["error"] == "token_revoked"
    device = server.devices().get(pk=device_id)
    assert device.location == "图书馆二楼" and device.responsible_person == "王老师"
    assert device.asset_tag == "ZC-0001"
    assert device.department == "教务处"  # was empty: filled from enrollment
    assert device.hostname == "NEW-NAME"
    assert server.devices().filter(fingerprint=identity.fingerprint).count() == 1


def test_hardware_change_history_and_older_report_order(server):
    school = server.org("九中")
    identity = make_identity(f"hw-{server.backend}")
    token = server.enrolled(school, identity)
    now = datetime.now(timezone.utc)
    assert (
        server.upload(token, make_report(identity, started_at=now - timedelta(hours=2))).status_code
        == 201
    )
    newer = make_report(identity, gpu=None, started_at=now - timedelta(hours=1))
    assert server.upload(token, newer).status_code == 201
    older = make_report(identity, findings=1, started_at=now - timedelta(hours=3))
    assert server.upload(token, older).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    changes = list(device.hardware_changes.all())
    assert len(changes) == 1 and "gpus" in changes[0].summary
    assert device.gpu_models == "" and not device.high_performance
    # the older scan arrived last and carries a finding: it is the verdict (never hidden by
    # the clean newer scan); the hardware and scan time stay those of the newest scan
    assert device.last_report_id == older.report_id and device.last_verdict == "mining"
    assert device.last_scan_at == newer.started_at
    assert device.reports.count() == 3
    late_clean = make_report(identity, started_at=now - timedelta(hours=4))
    assert server.upload(token, late_clean).status_code == 201
    assert server.devices().get(pk=device.pk).last_verdict == "mining"


def test_config_inherits_from_parent_organisation(server):
    from collector_server.ledger.models import AgentSettings

    bureau = server.org("局", kind="county")
    school = server.org("十中", parent=bureau)
    AgentSettings.objects.using(server.alias).create(
        organisation=bureau, scan_interval_minutes=90, deep_scan=True
    )
    AgentSettings.objects.using(server.alias).create(organisation=school, sample_seconds=15)
    token = server.enrolled(school, make_identity(f"cfg-{server.backend}"))
    response = requests.get(
        server.url("/api/v1/config"), timeout=10, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    config = response.json()
    assert (config["scan_interval_minutes"], config["sample_seconds"], config["deep_scan"]) == (
        90,
        15,
        True,
    )
    assert requests.get(server.url("/api/v1/config"), timeout=10).status_code == 401


def test_enrollment_token_limits(server):
    from collector_server.ledger.models import EnrollmentToken, hash_token

    school = server.org("十一中")
    once = server.enrollment_token(school, max_uses=1)
    assert server.enroll(once, make_identity(f"lim1-{server.backend}")).status_code == 201
    used_up = server.enroll(once, make_identity(f"lim2-{server.backend}"))
    assert used_up.status_code == 401
    row = EnrollmentToken.objects.using(server.alias).get(token_hash=hash_token(once))
    assert row.uses == 1
    expired = server.enrollment_token(school, expires_days=1)
    EnrollmentToken.objects.using(server.alias).filter(token_hash=hash_token(expired)).update(
        expires_at=datetime.now(timezone.utc) - timedelta(minutes=1)
    )
    assert server.enroll(expired, make_identity(f"lim3-{server.backend}")).status_code == 401
    revoked = server.enrollment_token(school)
    EnrollmentToken.objects.using(server.alias).get(token_hash=hash_token(revoked)).revoke()
    assert server.enroll(revoked, make_identity(f"lim4-{server.backend}")).status_code == 401
    assert (
        not server.devices()
        .filter(fingerprint=make_identity(f"lim2-{server.backend}").fingerprint)
        .exists()
    )


def test_tokens_are_stored_hashed(server):
    from collector_server.ledger.models import DeviceToken, EnrollmentToken

    school = server.org("十二中")
    plain_enroll = server.enrollment_token(school)
    plain_device = server.enrolled(school, make_identity(f"hash-{server.backend}"))
    for model in (EnrollmentToken, DeviceToken):
        for row in model.objects.using(server.alias).values():
            text = json.dumps(row, default=str)
            assert plain_enroll not in text and plain_device not in text
    row = DeviceToken.objects.using(server.alias).get(
        token_hash=hashlib.sha256(plain_device.encode()).hexdigest()
    )
    assert len(row.token_hash) == 64
    assert (
        EnrollmentToken.objects.using(server.alias)
        .filter(
            token_hash=hashlib.sha256(plain_enroll.encode()).hexdigest(), prefix=plain_enroll[:10]
        )
        .exists()
    )


def test_openapi_and_docs_are_self_contained(server):
    spec = requests.get(server.url("/api/v1/openapi.json"), timeout=10).json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/enroll", "/api/v1/reports", "/api/v1/config"} <= set(spec["paths"])
    report_schema = spec["components"]["schemas"]["Report"]
    assert "report_id" in report_schema["properties"]
    refs = json.dumps(spec)
    for name in set(__import__("re").findall(r"#/components/schemas/(\w+)", refs)):
        assert name in spec["components"]["schemas"], name
    page = requests.get(server.url("/api/v1/docs"), timeout=10)
    assert page.status_code == 200 and "/api/v1/reports" in page.text
    assert 'src="http' not in page.text and 'href="http' not in page.text


def test_repeated_report_id_from_another_device_is_refused(server):
    school = server.org("十三中")
    a, b = make_identity(f"rida-{server.backend}"), make_identity(f"ridb-{server.backend}")
    ta, tb = server.enrolled(school, a), server.enrolled(school, b)
    rid = uuid.uuid4()
    assert server.upload(ta, make_report(a, report_id=rid)).status_code == 201
    clash = server.upload(tb, make_report(b, report_id=rid))
    assert clash.status_code == 409
    assert server.reports().get(report_id=rid).device.fingerprint == a.fingerprint
