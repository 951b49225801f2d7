"""Roles and scoping: a school user never sees another school's device (API and helper)."""

from __future__ import annotations

import requests

from tests.collector.factories import make_identity, make_report


def _two_schools(server):
    bureau = server.org("县局", kind="county")
    school_a = server.org("甲校", parent=bureau)
    school_b = server.org("乙校", parent=bureau)
    devices = {}
    for name, school in (("a", school_a), ("b", school_b)):
        identity = make_identity(f"scope-{name}-{server.backend}-{school.pk}")
        token = server.enrolled(school, identity)
        assert server.upload(token, make_report(identity)).status_code == 201
        devices[name] = server.devices().get(fingerprint=identity.fingerprint)
    return bureau, school_a, school_b, devices


def test_school_user_gets_404_for_another_schools_device(server):
    bureau, school_a, _school_b, devices = _two_schools(server)
    user, password = server.user("school_staff", school_a)
    session = server.login(user.username, password)
    own = session.get(server.url(f"/api/v1/devices/{devices['a'].pk}"), timeout=10)
    assert own.status_code == 200, own.text
    assert own.json()["fingerprint"] == devices["a"].fingerprint
    other = session.get(server.url(f"/api/v1/devices/{devices['b'].pk}"), timeout=10)
    assert other.status_code == 404
    listed = session.get(server.url("/api/v1/devices?limit=1000"), timeout=10).json()
    ids = {row["id"] for row in listed["results"]}
    assert devices["a"].pk in ids and devices["b"].pk not in ids
    assert all(row["organisation_id"] == school_a.pk for row in listed["results"])

    staff, staff_password = server.user("bureau_staff", bureau)
    bureau_session = server.login(staff.username, staff_password)
    for device in devices.values():
        seen = bureau_session.get(server.url(f"/api/v1/devices/{device.pk}"), timeout=10)
        assert seen.status_code == 200
    anonymous = requests.get(server.url(f"/api/v1/devices/{devices['a'].pk}"), timeout=10)
    assert anonymous.status_code == 401


def test_scoping_helper_restricts_queries(server):
    from django.contrib.auth.models import AnonymousUser

    from collector_server.accounts.permissions import can_administer, can_edit_ledger
    from collector_server.accounts.scoping import scope_devices, scope_orgs
    from collector_server.ledger.models import Device, Organisation
    from collector_server.reports.models import Report

    bureau, school_a, school_b, devices = _two_schools(server)
    school_user, _ = server.user("school_staff", school_a)
    viewer, _ = server.user("viewer", bureau)
    staff, _ = server.user("bureau_staff", bureau)
    admin, _ = server.user("bureau_admin", bureau)
    db = server.alias

    def visible(user):
        return set(scope_devices(Device.objects.using(db), user).values_list("pk", flat=True))

    assert devices["a"].pk in visible(school_user) and devices["b"].pk not in visible(school_user)
    assert {devices["a"].pk, devices["b"].pk} <= visible(staff)
    assert {devices["a"].pk, devices["b"].pk} <= visible(viewer)
    assert visible(AnonymousUser()) == set()
    orgs = set(scope_orgs(Organisation.objects.using(db), school_user).values_list("pk", flat=True))
    assert orgs == {school_a.pk}
    reports = scope_devices(Report.objects.using(db), school_user, field="device__organisation")
    assert set(reports.values_list("device_id", flat=True)) == {devices["a"].pk}
    assert can_edit_ledger(school_user, school_a) and not can_edit_ledger(school_user, school_b)
    assert not can_edit_ledger(viewer) and can_edit_ledger(staff, school_b)
    assert can_administer(admin) and not can_administer(staff)
