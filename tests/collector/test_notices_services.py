"""Notices: register, match (egress line / upload source / report evidence), case workflow."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.collector.factories import make_identity, make_report

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _setup(server):
    if server.alias != "default":
        pytest.skip("notice services run on the default database")
    from collector_server.ledger.models import EgressLine

    bureau = server.org(f"通报县局-{T0.timestamp()}", kind="county")
    school_a = server.org("通报甲校", parent=bureau)
    school_b = server.org("通报乙校", parent=bureau)
    EgressLine.objects.create(organisation=school_b, isp="电信", addresses="203.0.113.0/29")
    identity = make_identity(f"notice-a-{school_a.pk}")
    token = server.enrolled(school_a, identity)
    assert server.upload(token, make_report(identity, findings=1)).status_code == 201
    device = server.devices().get(fingerprint=identity.fingerprint)
    return bureau, school_a, school_b, device, token, identity


def test_notice_matches_school_and_device_and_case_runs_to_closed(server):
    from collector_server.notices import services
    from collector_server.notices.models import CaseState, MatchKind, MatchStrength

    bureau, school_a, school_b, device, token, identity = _setup(server)
    notice = services.register_notice(
        bureau,
        source="police",
        number="公网安〔2026〕7号",
        received_at=T0,
        indicators=[{"value": "198.51.100.7", "port": 3333}, {"value": "203.0.113.5"}],
    )
    cases = services.open_cases(notice, now=T0)
    assert {c.organisation_id for c in cases} == {school_a.pk, school_b.pk}
    matches = {
        (m.kind, m.organisation_id, m.device_id, m.strength)
        for i in notice.indicators.all()
        for m in i.matches.all()
    }
    assert (MatchKind.report_evidence, school_a.pk, device.pk, MatchStrength.device) in matches
    assert (MatchKind.egress_line, school_b.pk, None, MatchStrength.organisation) in matches
    # a port the evidence does not show is no match
    other = services.register_notice(
        bureau,
        source="other",
        number="x",
        received_at=T0,
        indicators=[{"value": "198.51.100.7", "port": 4444}],
    )
    assert services.open_cases(other, now=T0) == []

    case = next(c for c in cases if c.organisation_id == school_a.pk)
    with pytest.raises(services.CaseError):
        services.submit_report(case, now=T0)
    with pytest.raises(services.CaseError):
        services.locate(case, [device], "  ", now=T0)
    services.locate(case, [device], "张老师", now=T0 + timedelta(hours=3))
    services.submit_report(case, now=T0 + timedelta(hours=20))
    with pytest.raises(services.CaseError, match=device.hostname):
        services.close(case, now=T0 + timedelta(hours=21))
    assert server.upload(token, make_report(identity)).status_code == 201  # clean rescan
    services.close(case)
    case.refresh_from_db()
    assert case.state == CaseState.closed and case.close_reason == ""
    assert [e.action for e in case.events.all()] == ["opened", "located", "reported", "closed"]


def test_case_events_cannot_be_edited_or_deleted(server):
    from collector_server.notices import services
    from collector_server.notices.models import ImmutableEventError

    bureau, school_a, _b, _device, _t, _i = _setup(server)
    notice = services.register_notice(
        bureau,
        source="province",
        number="n2",
        received_at=T0,
        indicators=[{"value": "pool.example"}],
    )
    case = next(c for c in services.open_cases(notice, now=T0) if c.organisation_id == school_a.pk)
    event = case.events.get()
    event.action = "forged"
    with pytest.raises(ImmutableEventError):
        event.save()
    with pytest.raises(ImmutableEventError):
        event.delete()


def test_deadlines_with_a_frozen_clock(server):
    from collector_server.notices import services

    bureau, school_a, _b, device, _t, _i = _setup(server)
    notice = services.register_notice(
        bureau,
        source="cyberspace",
        number="n3",
        received_at=T0,
        indicators=[{"value": "198.51.100.7"}],
    )
    case = next(c for c in services.open_cases(notice, now=T0) if c.organisation_id == school_a.pk)
    assert services.deadline_flag(case, T0 + timedelta(hours=30)) == ""
    assert services.deadline_flag(case, T0 + timedelta(hours=40)) == "due_soon"
    assert services.deadline_flag(case, T0 + timedelta(hours=49)) == "overdue"
    services.locate(case, [device], "张老师", now=T0 + timedelta(hours=47))
    assert services.deadline_flag(case, T0 + timedelta(hours=49)) == ""
    assert services.deadline_flag(case, T0 + timedelta(hours=61)) == "due_soon"
    assert services.deadline_flag(case, T0 + timedelta(hours=73)) == "overdue"
    services.submit_report(case, now=T0 + timedelta(hours=71))
    assert services.deadline_flag(case, T0 + timedelta(hours=100)) == ""


def test_repeat_terminal_and_blocklist_exports(server):
    from collector_server.notices import blocklist, services

    bureau, school_a, _b, device, _t, _i = _setup(server)
    for number in ("r1", "r2"):
        notice = services.register_notice(
            bureau,
            source="province",
            number=number,
            received_at=T0,
            indicators=[{"value": "198.51.100.7"}, {"value": "Pool.Example"}],
        )
        case = next(
            c for c in services.open_cases(notice, now=T0) if c.organisation_id == school_a.pk
        )
        assert device.pk not in services.repeat_devices()
        services.locate(case, [device], "张老师", now=T0)
    assert services.repeat_devices()[device.pk] == 2

    indicators = blocklist.current_indicators(bureau)
    assert [i.value for i in indicators] == ["198.51.100.7", "pool.example"]
    assert "0.0.0.0 pool.example" in blocklist.hosts_file(indicators)
    assert "198.51.100.7" not in blocklist.hosts_file(indicators)
    zone = blocklist.rpz_zone(indicators)
    assert "pool.example CNAME ." in zone and "*.pool.example CNAME ." in zone
    assert blocklist.plain_list(indicators) == "198.51.100.7\npool.example\n"
    assert blocklist.csv_list(indicators).splitlines()[1].startswith("ip,198.51.100.7,,r")


def test_upward_list_holds_pools_no_notice_names(server):
    from collector_server.notices import services, upward

    bureau, _a, _b, _device, _t, _i = _setup(server)
    hosts = [r["host"] for r in upward.unreported_pools(bureau)]
    assert hosts == ["198.51.100.7", "pool.example"]
    services.register_notice(
        bureau,
        source="province",
        number="u1",
        received_at=T0,
        indicators=[{"value": "pool.example"}, {"value": "198.51.100.7"}],
    )
    assert upward.unreported_pools(bureau) == []
