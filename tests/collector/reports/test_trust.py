"""Collector trust over real HTTP: enrollment never takes over another organisation's device,
scan times cannot pin a verdict, device tokens can be revoked, hand-carry keys are bound."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.collector.factories import make_identity, make_report, report_json


def _post_form(session: requests.Session, server, path: str, data: dict, referer: str):
    return session.post(
        server.url(path),
        data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": server.url(referer)},
        timeout=60,
    )


def _two_counties(server, label: str):
    """A province with two county bureaus, one school each."""
    province = server.org(f"省{label}", kind="province")
    county_a = server.org(f"甲县{label}", kind="county", parent=province)
    county_b = server.org(f"乙县{label}", kind="county", parent=province)
    school_a = server.org(f"甲校{label}", parent=county_a)
    school_b = server.org(f"乙校{label}", parent=county_b)
    return province, school_a, school_b


# --- item 1: enrollment across organisations ------------------------------------------------


def test_another_orgs_token_gets_a_separate_entry_never_the_device(server):
    from collector_server.ledger.models import AgentSettings

    _, school_a, school_b = _two_counties(server, f"takeover-{server.backend}")
    AgentSettings.objects.using(server.alias).create(
        organisation=school_b, scan_interval_minutes=77
    )
    identity = make_identity(f"takeover-{server.backend}", hostname="B-LAB-01")
    victim = server.enroll(server.enrollment_token(school_b), identity)
    assert victim.status_code == 201
    victim_id, victim_token = victim.json()["device_id"], victim.json()["device_token"]
    mining = make_report(identity, findings=2)
    assert server.upload(victim_token, mining).status_code == 201

    # the fingerprint is public (shown in report files and the device API): school A uses it
    attack = server.enroll(server.enrollment_token(school_a), identity)
    assert attack.status_code == 201, attack.text
    body = attack.json()
    fresh = server.enroll(
        server.enrollment_token(school_a), make_identity(f"takeover-fresh-{server.backend}")
    ).json()
    assert set(body) == set(fresh) and body["created"] is True
    assert body["device_id"] != victim_id
    assert body["organisation"]["id"] == school_a.pk
    assert school_b.name not in attack.text and body["config"]["scan_interval_minutes"] != 77

    # the new token neither reads B's config nor uploads over B's history
    config = requests.get(
        server.url("/api/v1/config"),
        timeout=30,
        headers={"Authorization": f"Bearer {body['device_token']}"},
    )
    assert config.status_code == 200 and config.json()["scan_interval_minutes"] != 77
    clean = make_report(identity)
    assert server.upload(body["device_token"], clean).status_code == 201
    original = server.devices().get(pk=victim_id)
    assert original.organisation_id == school_b.pk and original.last_verdict == "mining"
    assert server.reports().filter(device_id=victim_id).count() == 1
    assert server.reports().get(report_id=clean.report_id).device_id == body["device_id"]
    # B's agent keeps working; a pending move waits for a person
    from collector_server.ledger.models import PendingMove

    assert server.upload(victim_token, make_report(identity)).status_code == 201
    move = PendingMove.objects.using(server.alias).get(candidate_id=body["device_id"])
    assert move.device_id == victim_id and move.status == "pending"
    assert (move.from_organisation_id, move.to_organisation_id) == (school_b.pk, school_a.pk)

    # enrolling again with A's token keeps the one candidate (and one pending move)
    again = server.enroll(server.enrollment_token(school_a), identity)
    assert again.status_code == 200 and again.json()["device_id"] == body["device_id"]
    assert (
        PendingMove.objects.using(server.alias)
        .filter(fingerprint=identity.fingerprint, status="pending")
        .count()
        == 1
    )


def test_a_bureau_token_reenrolls_its_schools_device_in_place(server):
    bureau = server.org(f"县局re-{server.backend}", kind="county")
    school = server.org("本校", parent=bureau)
    identity = make_identity(f"bureau-re-{server.backend}")
    first = server.enroll(server.enrollment_token(school), identity).json()
    again = server.enroll(server.enrollment_token(bureau), identity)
    assert again.status_code == 200 and again.json()["device_id"] == first["device_id"]
    assert again.json()["organisation"]["id"] == school.pk


def test_pending_move_is_decided_on_the_duplicates_page_by_who_sees_both(server):
    from collector_server.ledger.models import PendingMove

    province, school_a, school_b = _two_counties(server, f"move-{server.backend}")
    identity = make_identity(f"move-{server.backend}", hostname="MOVED-PC")
    old = server.enroll(server.enrollment_token(school_b), identity).json()
    assert server.upload(old["device_token"], make_report(identity, findings=1)).status_code == 201
    new = server.enroll(server.enrollment_token(school_a), identity).json()
    move = PendingMove.objects.using(server.alias).get(candidate_id=new["device_id"])

    staff_a, password_a = server.user("school_staff", school_a)
    school_view = server.login(staff_a.username, password_a)
    page = school_view.get(server.url("/duplicates/"), timeout=30)
    assert f'id="move-{move.pk}"' not in page.text
    refused = _post_form(
        school_view, server, f"/duplicates/moves/{move.pk}/", {"decision": "move"}, "/duplicates/"
    )
    assert refused.status_code == 404

    boss, boss_password = server.user("bureau_admin", province)
    session = server.login(boss.username, boss_password)
    page = session.get(server.url("/duplicates/"), timeout=30)
    assert f'id="move-{move.pk}"' in page.text and "待决定的迁移" in page.text
    done = _post_form(
        session, server, f"/duplicates/moves/{move.pk}/", {"decision": "move"}, "/duplicates/"
    )
    assert done.status_code == 200
    move.refresh_from_db(using=server.alias)
    assert move.status == "moved" and move.decided_by_id == boss.pk and move.decided_at
    device = server.devices().get(pk=old["device_id"])
    assert device.organisation_id == school_a.pk
    assert not server.devices().filter(pk=new["device_id"]).exists()
    # the new school's agent now acts on the moved entry; the old school's token is revoked
    moved = server.upload(new["device_token"], make_report(identity))
    assert moved.status_code == 201 and moved.json()["device_id"] == device.pk
    assert server.upload(old["device_token"], make_report(identity)).status_code == 401

    # a second attempt from B is a new pending move; rejecting it revokes that enrollment
    back = server.enroll(server.enrollment_token(school_b), identity).json()
    second = PendingMove.objects.using(server.alias).get(candidate_id=back["device_id"])
    _post_form(
        session, server, f"/duplicates/moves/{second.pk}/", {"decision": "reject"}, "/duplicates/"
    )
    second.refresh_from_db(using=server.alias)
    assert second.status == "rejected" and second.decided_by_id == boss.pk
    assert server.upload(back["device_token"], make_report(identity)).status_code == 401
    assert server.devices().get(pk=device.pk).organisation_id == school_a.pk


# --- item 2: scan times ---------------------------------------------------------------------


def test_far_future_scan_time_is_refused_and_cannot_pin_the_verdict(server):
    school = server.org("时钟校")
    identity = make_identity(f"clock-{server.backend}")
    token = server.enrolled(school, identity)
    pin = make_report(identity, started_at=datetime(2099, 1, 1, tzinfo=timezone.utc))
    refused = server.upload(token, pin)
    assert refused.status_code == 422, refused.text
    assert "started_at" in refused.json()["detail"] and "ahead" in refused.json()["detail"]
    assert not server.reports().filter(report_id=pin.report_id).exists()

    now = datetime.now(timezone.utc)
    ahead = make_report(identity, started_at=now + timedelta(hours=20))  # a fast clock
    assert server.upload(token, ahead).status_code == 201
    real = make_report(identity, findings=1, started_at=now)
    assert server.upload(token, real).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    assert device.last_verdict == "mining" and device.last_report_id == real.report_id

    # a device pinned before the bound existed is unpinned by the next real report
    server.devices().filter(pk=device.pk).update(
        last_scan_at=datetime(2099, 1, 1, tzinfo=timezone.utc), last_verdict="clean"
    )
    later = make_report(identity, findings=1, verdict="suspicious")
    assert server.upload(token, later).status_code == 201
    device = server.devices().get(pk=device.pk)
    assert device.last_verdict != "clean" and device.last_scan_at.year < 2099


def test_weeks_old_reports_are_kept_but_ancient_ones_refused(server):
    school = server.org("旧报告校")
    identity = make_identity(f"old-{server.backend}")
    token = server.enrolled(school, identity)
    now = datetime.now(timezone.utc)
    current = make_report(identity, started_at=now - timedelta(hours=1))
    assert server.upload(token, current).status_code == 201
    weeks = make_report(identity, findings=1, started_at=now - timedelta(days=30))
    assert server.upload(token, weeks).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    assert device.last_verdict == "mining"  # received later, with a finding: not hidden
    ancient = server.upload(token, make_report(identity, started_at=now - timedelta(days=400)))
    assert ancient.status_code == 422 and "older than" in ancient.json()["detail"]


# --- item 3: revocation ---------------------------------------------------------------------


def test_staff_revoke_a_devices_tokens_with_a_confirm_step(server):
    school = server.org("吊销校")
    identity = make_identity(f"revoke-{server.backend}")
    token = server.enrolled(school, identity)
    device = server.devices().get(fingerprint=identity.fingerprint)
    viewer, viewer_password = server.user("viewer", school)
    looking = server.login(viewer.username, viewer_password)
    assert (
        looking.get(server.url(f"/devices/{device.pk}/revoke-tokens/"), timeout=30).status_code
        == 403
    )

    admin, password = server.user("school_staff", school)
    session = server.login(admin.username, password)
    assert "revoke-tokens" in session.get(server.url(f"/devices/{device.pk}/"), timeout=30).text
    confirm = session.get(server.url(f"/devices/{device.pk}/revoke-tokens/"), timeout=30)
    assert confirm.status_code == 200 and 'id="revoke-confirm"' in confirm.text
    assert server.upload(token, make_report(identity)).status_code == 201  # GET changed nothing
    _post_form(
        session,
        server,
        f"/devices/{device.pk}/revoke-tokens/",
        {},
        f"/devices/{device.pk}/revoke-tokens/",
    )
    refused = server.upload(token, make_report(identity))
    assert refused.status_code == 401 and refused.headers["Content-Type"] == "application/json"
    assert refused.json()["error"] == "token_revoked" and "enroll" in refused.json()["detail"]
    config = requests.get(
        server.url("/api/v1/config"), timeout=30, headers={"Authorization": f"Bearer {token}"}
    )
    assert config.status_code == 401 and config.json()["error"] == "token_revoked"
    unknown = server.upload("mcd_not-a-token", make_report(identity))
    assert unknown.status_code == 401 and unknown.json()["error"] == "unauthorized"
    # enrolling again gives a working token
    assert (
        server.upload(server.enrolled(school, identity), make_report(identity)).status_code == 201
    )


def test_revoking_an_enrollment_token_can_revoke_the_device_tokens_it_produced(server):
    from collector_server.ledger.models import EnrollmentToken, hash_token

    school = server.org("令牌校")
    plain = server.enrollment_token(school)
    kept_plain = server.enrollment_token(school)
    first, second, other = (make_identity(f"etok-{i}-{server.backend}") for i in range(3))
    tokens = [server.enroll(plain, i).json()["device_token"] for i in (first, second)]
    other_token = server.enroll(kept_plain, other).json()["device_token"]
    row = EnrollmentToken.objects.using(server.alias).get(token_hash=hash_token(plain))
    admin, password = server.user("school_staff", school)
    session = server.login(admin.username, password)
    session.get(server.url(f"/orgs/{school.pk}/"), timeout=30)
    _post_form(
        session,
        server,
        f"/orgs/{school.pk}/tokens/{row.pk}/revoke/",
        {"devices": "1"},
        f"/orgs/{school.pk}/",
    )
    for token, identity in zip(tokens, (first, second), strict=True):
        assert server.upload(token, make_report(identity)).status_code == 401
    assert server.upload(other_token, make_report(other)).status_code == 201
    assert server.enroll(plain, make_identity(f"etok-late-{server.backend}")).status_code == 401


# --- item 4: hand-carry keys ----------------------------------------------------------------


def _enroll_with_key(server, org, identity, home):
    from agent.transport import handcarry

    key = handcarry.install_key(home)
    body = {
        "enrollment_token": server.enrollment_token(org),
        "device": identity.model_dump(mode="json"),
        "handcarry_public_key": handcarry.public_key_b64(key),
    }
    response = requests.post(server.url("/api/v1/enroll"), json=body, timeout=30)
    assert response.status_code == 201, response.text
    return key


def test_resigned_handcarry_file_is_held_and_the_genuine_one_applied(server, tmp_path):
    from agent.transport import handcarry

    bureau = server.org(f"县局key-{server.backend}", kind="county")
    school = server.org("网吧key", kind="cafe", parent=bureau)
    identity = make_identity(f"hckey-{server.backend}")
    key = _enroll_with_key(server, school, identity, tmp_path / "agent")
    device = server.devices().get(fingerprint=identity.fingerprint)
    assert device.handcarry_key == handcarry.public_key_b64(key)
    genuine_report = make_report(identity, findings=1)
    genuine = handcarry.build(report_json(genuine_report), key)

    # the forger takes a real file, makes it clean and re-signs it with a fresh key
    envelope = json.loads(genuine)
    forged_body = json.loads(base64.b64decode(envelope["report"]))
    forged_body["verdict"]["status"] = "clean"
    forged_body["findings"] = []
    forged_body["report_id"] = "00000000-0000-4000-8000-00000000f0f0"
    forged = handcarry.build(
        json.dumps(forged_body).encode(), handcarry.install_key(tmp_path / "forger")
    )

    user, password = server.user("bureau_staff", bureau)
    session = server.login(user.username, password)
    session.get(server.url("/distribution/handcarry/"), timeout=30)

    def post(content: bytes):
        return session.post(
            server.url("/distribution/handcarry/"),
            files={"file": ("pc.mcr", content)},
            data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": server.url("/distribution/handcarry/")},
            timeout=60,
        )

    page = post(forged)
    assert "暂扣待审" in page.text and "不是本机登记时的密钥" in page.text
    assert not server.reports().filter(report_id=forged_body["report_id"]).exists()
    assert post(genuine).status_code == 200
    device = server.devices().get(pk=device.pk)
    assert device.last_verdict == "mining"
    assert server.reports().get(report_id=genuine_report.report_id).source == "handcarry"

    # the bureau rejects the held file: recorded, still not applied
    from collector_server.reports.models import HeldHandcarry

    held = HeldHandcarry.objects.using(server.alias).get(fingerprint=identity.fingerprint)
    assert held.status == "held" and f'id="held-{held.pk}"' in page.text
    _post_form(
        session,
        server,
        f"/distribution/handcarry/held/{held.pk}/",
        {"decision": "reject"},
        "/distribution/handcarry/",
    )
    held.refresh_from_db(using=server.alias)
    assert held.status == "rejected" and held.decided_by_id == user.pk
    assert not server.reports().filter(report_id=forged_body["report_id"]).exists()
    assert server.devices().get(pk=device.pk).last_verdict == "mining"


def test_a_held_file_applies_when_accepted(server, tmp_path):
    from agent.transport import handcarry
    from collector_server.reports.models import HeldHandcarry

    bureau = server.org(f"县局acc-{server.backend}", kind="county")
    school = server.org("学校acc", parent=bureau)
    identity = make_identity(f"hcacc-{server.backend}")
    _enroll_with_key(server, school, identity, tmp_path / "old-install")
    # the PC was re-installed: a new install key, never enrolled again
    report = make_report(identity, findings=1)
    data = handcarry.build(report_json(report), handcarry.install_key(tmp_path / "new"))
    user, password = server.user("bureau_staff", bureau)
    session = server.login(user.username, password)
    session.get(server.url("/distribution/handcarry/"), timeout=30)
    session.post(
        server.url("/distribution/handcarry/"),
        files={"file": ("pc.mcr", data)},
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": server.url("/distribution/handcarry/")},
        timeout=60,
    )
    held = HeldHandcarry.objects.using(server.alias).get(fingerprint=identity.fingerprint)
    assert not server.reports().filter(report_id=report.report_id).exists()
    _post_form(
        session,
        server,
        f"/distribution/handcarry/held/{held.pk}/",
        {"decision": "accept"},
        "/distribution/handcarry/",
    )
    held.refresh_from_db(using=server.alias)
    assert held.status == "accepted" and held.decided_by_id == user.pk
    assert server.reports().get(report_id=report.report_id).source == "handcarry"
    assert server.devices().get(fingerprint=identity.fingerprint).last_verdict == "mining"


def test_cli_revokes_an_enrollment_token_with_its_device_tokens(server, django_dbs):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from collector_server.ledger.models import EnrollmentToken, hash_token

    info = django_dbs[server.alias]
    env = {**os.environ, "MINECHECK_DATA": str(info["data"])}
    env.pop("DATABASE_URL", None)
    if info["database_url"]:
        env["DATABASE_URL"] = info["database_url"]

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "collector_server.cli", *args],
            env=env,
            cwd=Path(__file__).resolve().parents[3],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr + done.stdout
        return done.stdout

    school = server.org("命令行校")
    plain = server.enrollment_token(school)
    identities = [make_identity(f"clirev-{i}-{server.backend}") for i in range(2)]
    tokens = [server.enroll(plain, i).json()["device_token"] for i in identities]
    row = EnrollmentToken.objects.using(server.alias).get(token_hash=hash_token(plain))
    out = cli("token", "revoke", str(row.pk), "--devices")
    assert "revoked 2 device token(s)" in out
    for token, identity in zip(tokens, identities, strict=True):
        refused = server.upload(token, make_report(identity))
        assert refused.status_code == 401 and refused.json()["error"] == "token_revoked"


def test_the_allowed_clock_skew_is_a_setting(server, django_dbs):
    from tests.collector.conftest import start_server, stop_server
    from tests.collector.serverenv import ServerEnv

    if server.backend != "sqlite":
        pytest.skip("one extra server process (SQLite) is enough to show the setting works")
    proc, url = start_server(
        django_dbs["default"]["data"], None, extra_env={"MINECHECK_MAX_CLOCK_AHEAD_HOURS": "1"}
    )
    try:
        strict = ServerEnv(base_url=url, alias=server.alias, backend=server.backend)
        identity = make_identity("skew-setting")
        token = strict.enrolled(strict.org("严格时钟校"), identity)
        now = datetime.now(timezone.utc)
        two_hours = strict.upload(token, make_report(identity, started_at=now + timedelta(hours=2)))
        assert two_hours.status_code == 422 and "1:00:00 ahead" in two_hours.json()["detail"]
        assert strict.upload(token, make_report(identity)).status_code == 201
    finally:
        stop_server(proc)
