"""Suspected duplicates (shared identity parts, different fingerprints) and merging them."""

from __future__ import annotations

from tests.collector.factories import make_identity, make_report


def test_duplicates_are_listed_and_merge_keeps_person_fields(server):
    from collector_server.ledger.services import find_duplicates, merge_devices

    school = server.org("重复校")
    uuid_shared = f"4c4c4544-0000-1000-8000-{server.backend[:2].encode().hex()}{school.pk:08d}"
    first = make_identity(f"dup1-{server.backend}-{school.pk}", system_uuid=uuid_shared)
    second = make_identity(f"dup2-{server.backend}-{school.pk}", system_uuid=uuid_shared)
    clone = make_identity(f"dup3-{server.backend}-{school.pk}")  # unrelated PC
    tokens = {}
    for identity in (first, second, clone):
        tokens[identity.fingerprint] = server.enrolled(school, identity)
        assert server.upload(tokens[identity.fingerprint], make_report(identity)).status_code == 201
    assert first.fingerprint != second.fingerprint
    devices = server.devices().filter(organisation=school)
    groups = find_duplicates(devices)
    assert len(groups) == 1
    group = groups[0]
    assert group.key == "system_uuid" and group.value == uuid_shared
    assert {d.fingerprint for d in group.devices} == {first.fingerprint, second.fingerprint}

    keep = server.devices().get(fingerprint=first.fingerprint)
    other = server.devices().get(fingerprint=second.fingerprint)
    keep.location = "机房A"
    keep.save(using=server.alias)
    other.location = "别的地方"
    other.responsible_person = "赵老师"
    other.save(using=server.alias)
    merged = merge_devices(keep, other)
    merged.refresh_from_db()
    assert merged.location == "机房A" and merged.responsible_person == "赵老师"
    assert not server.devices().filter(fingerprint=second.fingerprint).exists()
    assert merged.reports.count() == 2
    assert find_duplicates(server.devices().filter(organisation=school)) == []
    # the merged-away agent keeps uploading into the kept entry
    again = server.upload(tokens[second.fingerprint], make_report(second))
    assert again.status_code == 201, again.text
    assert again.json()["device_id"] == merged.pk
    reenrolled = server.enroll(server.enrollment_token(school), second)
    assert reenrolled.json()["device_id"] == merged.pk


def test_clones_with_different_hardware_stay_separate(server):
    from collector_server.ledger.services import find_duplicates

    school = server.org("克隆校")
    a = make_identity(f"clone-a-{server.backend}-{school.pk}")
    b = make_identity(f"clone-b-{server.backend}-{school.pk}")
    b = b.model_copy(update={"machine_id": a.machine_id, "hostname": a.hostname})
    for identity in (a, b):
        server.enrolled(school, identity)
    assert server.devices().filter(organisation=school).count() == 2
    assert find_duplicates(server.devices().filter(organisation=school)) == []


def test_notified_address_leads_to_school_and_devices(server):
    from collector_server.ledger.models import EgressLine, ManagedRange
    from collector_server.ledger.services import match_address

    school = server.org("通报校")
    other = server.org("无关校")
    db = server.alias
    EgressLine.objects.using(db).create(
        organisation=school, isp="中国电信", addresses="203.0.113.8/29\n198.51.100.77"
    )
    ManagedRange.objects.using(db).create(organisation=school, cidr="10.77.0.0/16")
    ManagedRange.objects.using(db).create(organisation=other, cidr="10.88.0.0/16")
    identity = make_identity(f"notice-{server.backend}-{school.pk}")
    token = server.enrolled(school, identity)
    report = make_report(identity)
    report.hardware.nics[0].ipv4 = ["10.77.3.4"]
    assert server.upload(token, report).status_code == 201
    scoped = server.devices().filter(organisation__in=[school, other])
    by_egress = match_address("203.0.113.12", scoped)
    assert [o.pk for o in by_egress.organisations] == [school.pk] and by_egress.devices == []
    by_lan = match_address("10.77.3.4", scoped)
    assert [o.pk for o in by_lan.organisations] == [school.pk]
    assert [d.fingerprint for d in by_lan.devices] == [identity.fingerprint]
    by_upload = match_address("127.0.0.1", scoped)  # the address the upload came from
    assert identity.fingerprint in {d.fingerprint for d in by_upload.devices}
    assert match_address("10.77.3.40", scoped).devices == []  # no substring matches
    assert match_address("192.0.2.1", scoped).organisations == []
