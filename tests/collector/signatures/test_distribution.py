"""Signature distribution, hand-carry import and stale devices on the real collector."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import secrets
import tarfile
from datetime import timedelta

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.collector.factories import make_identity, make_report, report_json

RULE = """
rule minecheck_test_imported_{n} {{
  meta:
    family = "testminer"
    kind = "miner_software"
    severity = "high"
    scope = "file"
    description_zh = "测试规则"
    description_en = "test rule"
  strings:
    $a = "minecheck-imported-test-string-{n}"
  condition:
    $a
}}
"""


@pytest.fixture()
def sqlite_server(server):
    """These tests call the collector's services in this process (default database)."""
    if server.backend != "sqlite":
        pytest.skip("services called in-process use the SQLite alias")
    return server


def _archive_files(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive)), mode="r:") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_imported_list_becomes_a_signed_bundle_served_to_devices(sqlite_server, tmp_path):
    from collector_server.signatures.bundles import ImportRefused, import_file

    server = sqlite_server
    school = server.org("签名校")
    enroll = server.enroll(server.enrollment_token(school), make_identity(f"sig-{school.pk}"))
    public_key = enroll.json()["signing_public_key"]
    token = enroll.json()["device_token"]
    assert public_key and enroll.json()["config"]["signing_public_key"] == public_key

    domain = f"pool{secrets.token_hex(3)}.mining-notice.example"
    notice = f"# 省通报\n{domain}\n0.0.0.0 {domain}\n198.51.100.{school.pk % 200 + 1}\nnot valid!\n"
    outcome = import_file("notice.txt", notice.encode(), "通报 12 号")
    assert outcome.added and sum(outcome.added.values()) == 2
    assert any("notice.txt:5" in p for p in outcome.problems)

    auth = {"Authorization": f"Bearer {token}"}
    assert requests.get(server.url("/api/v1/signatures/latest"), timeout=10).status_code == 401
    info = requests.get(server.url("/api/v1/signatures/latest"), headers=auth, timeout=10).json()
    assert info["version"] == outcome.bundle.version
    archive = requests.get(server.url(info["url"]), headers=auth, timeout=10).content
    assert hashlib.sha256(archive).hexdigest() == info["sha256"] and len(archive) == info["size"]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
        base64.b64decode(info["signature"]), archive
    )  # raises when wrong
    files = _archive_files(archive)
    manifest = json.loads(files["manifest.json"])
    assert manifest["version"] == info["version"]
    for rel, digest in manifest["files"].items():
        assert hashlib.sha256(files[rel]).hexdigest() == digest
    assert domain in files["pools/domains.txt"].decode()
    assert "yara/file/xmrig.yar" in files  # the default bundle is inside

    with pytest.raises(ImportRefused, match="already in the bundle"):
        import_file("notice-again.txt", notice.encode())


def test_rule_files_are_compiled_before_they_are_accepted(sqlite_server):
    from collector_server.signatures.bundles import ImportRefused, import_file, latest_bundle

    n = secrets.token_hex(3)
    with pytest.raises(ImportRefused, match="do not compile"):
        import_file("broken.yar", b"rule broken { condition: $missing }")
    with pytest.raises(ImportRefused, match="meta lacks"):
        import_file("nometa.yar", f'rule r{n} {{ strings: $a = "x{n}" condition: $a }}'.encode())
    before = latest_bundle()
    outcome = import_file("province.yar", RULE.format(n=n).encode(), "rules")
    assert latest_bundle().pk == outcome.bundle.pk != (before.pk if before else None)
    files = _archive_files(bytes(outcome.bundle.archive))
    assert any(
        k.startswith("yara/file/imported/") and f"test-string-{n}".encode() in v
        for k, v in files.items()
    )


def test_handcarry_import_is_idempotent_and_refuses_tampering(sqlite_server, tmp_path):
    from agent.transport import handcarry
    from collector_server.reports.handcarry import HandcarryRefused, import_handcarry

    server = sqlite_server
    school = server.org("网吧")
    plain = server.enrollment_token(school)
    identity = make_identity(f"hc-{school.pk}")
    body = report_json(make_report(identity, findings=2))
    key = handcarry.install_key(tmp_path)
    data = handcarry.build(body, key, plain)

    first = import_handcarry(data)
    assert first.device_created and not first.duplicate and first.token_verified
    assert first.device.organisation_id == school.pk
    again = import_handcarry(data)
    assert again.duplicate and again.device.pk == first.device.pk
    assert server.reports().filter(device=first.device).count() == 1
    assert server.devices().get(pk=first.device.pk).last_verdict == "mining"

    envelope = json.loads(data)
    report = json.loads(base64.b64decode(envelope["report"]))
    report["verdict"]["status"] = "clean"
    envelope["report"] = base64.b64encode(json.dumps(report).encode()).decode()
    with pytest.raises(HandcarryRefused, match="changed after it was written"):
        import_handcarry(json.dumps(envelope).encode())
    forged = handcarry.build(body, key, "mce_" + secrets.token_urlsafe(24))
    with pytest.raises(HandcarryRefused, match="enrollment token does not match"):
        import_handcarry(forged)

    loose = handcarry.build(report_json(make_report(make_identity(f"hc2-{school.pk}"))), key)
    with pytest.raises(HandcarryRefused, match="choose the organisation"):
        import_handcarry(loose)
    # a new computer whose file no token vouches for: held for review, applied on accept
    held = import_handcarry(loose, organisation=school)
    assert held.held is not None and held.device is None
    assert not server.devices().filter(fingerprint=held.held.fingerprint).exists()
    from collector_server.reports.handcarry import decide_held

    placed = decide_held(held.held, accept=True)
    assert placed.device_created and placed.device.organisation_id == school.pk


def test_stale_devices_follow_the_scan_interval(sqlite_server):
    from django.utils import timezone

    from collector_server.ledger.models import AgentSettings, Device
    from collector_server.ledger.stale import stale_devices

    server = sqlite_server
    now = timezone.now()
    fast = server.org("每日扫描校")
    slow = server.org("每周扫描校")
    AgentSettings.objects.create(organisation=slow, scan_interval_minutes=7 * 24 * 60)
    rows = {}
    for org, name, hours in (
        (fast, "fresh", 10),
        (fast, "silent", 60),
        (slow, "weekly", 60),
        (slow, "gone", 15 * 24),
    ):
        rows[name] = Device.objects.create(
            fingerprint=f"stale-{name}-{org.pk}",
            hostname=name,
            organisation=org,
            last_seen=now - timedelta(hours=hours),
            first_seen=now - timedelta(days=30),
        )
    never = Device.objects.create(
        fingerprint=f"stale-never-{fast.pk}",
        hostname="never",
        organisation=fast,
        first_seen=now - timedelta(days=3),
    )
    found = set(
        stale_devices(Device.objects.filter(organisation__in=[fast, slow]), now).values_list(
            "hostname", flat=True
        )
    )
    assert found == {"silent", "gone", "never"}
    from django.core.management import call_command

    out = io.StringIO()
    call_command("stale_devices", stdout=out)
    names = {line.split("\t")[1] for line in out.getvalue().splitlines() if "\t" in line}
    assert {"silent", "gone", "never"} <= names and not {"fresh", "weekly"} & names
    never.status = "retired"
    never.save()
    assert "never" not in set(
        stale_devices(Device.objects.filter(organisation=fast), now).values_list(
            "hostname", flat=True
        )
    )


def test_pages_are_for_bureau_staff_only(sqlite_server, tmp_path):
    from collector_server.signatures.models import SignatureBundle

    server = sqlite_server
    bureau = server.org("县局", kind="county")
    school = server.org("学校", parent=bureau)
    user, password = server.user("bureau_staff", bureau)
    session = server.login(user.username, password)
    page = session.get(server.url("/distribution/signatures/"), timeout=30)
    assert page.status_code == 200
    csrf = session.cookies["csrftoken"]
    domain = f"page{secrets.token_hex(3)}.mining-notice.example"
    response = session.post(
        server.url("/distribution/signatures/"),
        files={"file": ("notice.csv", f"域名,来源\n{domain},省通报\n".encode())},
        data={"csrfmiddlewaretoken": csrf, "note": "page import"},
        headers={"Referer": server.url("/distribution/signatures/")},
        timeout=60,
    )
    assert response.status_code == 200
    newest = SignatureBundle.objects.order_by("-created_at").first()
    assert newest.notes == "page import"
    assert domain.encode() in gzip.decompress(bytes(newest.archive))
    assert newest.version in response.text

    staff, staff_password = server.user("school_staff", school)
    other = server.login(staff.username, staff_password)
    assert other.get(server.url("/distribution/signatures/"), timeout=30).status_code == 403
    assert other.get(server.url("/distribution/handcarry/"), timeout=30).status_code == 403


def test_handcarry_page_refuses_a_tampered_file_in_chinese(sqlite_server, tmp_path):
    from agent.transport import handcarry

    server = sqlite_server
    bureau = server.org("县局hc", kind="county")
    school = server.org("学校hc", parent=bureau)
    user, password = server.user("bureau_staff", bureau)
    session = server.login(user.username, password)
    session.get(server.url("/distribution/handcarry/"), timeout=30)
    body = report_json(make_report(make_identity(f"hcpage-{school.pk}")))
    data = handcarry.build(body, handcarry.install_key(tmp_path), server.enrollment_token(school))
    tampered = data.replace(b'"sha256": "', b'"sha256": "0', 1)

    def post(content: bytes):
        return session.post(
            server.url("/distribution/handcarry/"),
            files={"file": ("pc.mcr", content)},
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": server.url("/distribution/handcarry/")},
            timeout=60,
        )

    refused = post(tampered)
    assert "pc.mcr 未导入" in refused.text and "报告生成后被改动过" in refused.text
    assert "已导入" in post(data).text
    assert "此前已导入" in post(data).text
    assert (
        server.reports()
        .filter(device__fingerprint=make_identity(f"hcpage-{school.pk}").fingerprint)
        .count()
        == 1
    )
