"""People register over the real server: pages, role isolation, XLSX export and import."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.collector.compliance_seed import post, seed


@pytest.fixture(scope="module")
def cc(server):
    return seed(server)


def test_school_sees_only_its_people_and_404_outside(server, cc):
    a = cc.county.sessions["school_a"]
    page = a.get(server.url("/compliance/people/"), timeout=30)
    assert page.status_code == 200
    assert "王甲" in page.text and "李乙" in page.text
    assert "赵丙" not in page.text
    other = cc.people_b[0]
    assert a.get(server.url(f"/compliance/people/{other.pk}/"), timeout=30).status_code == 404
    assert (
        a.get(server.url(f"/compliance/pledges/person/{other.pk}.pdf"), timeout=30).status_code
        == 404
    )
    assert (
        a.get(
            server.url(f"/compliance/pledges/batch/{cc.county.school_b.pk}.pdf"), timeout=30
        ).status_code
        == 404
    )
    bureau = cc.county.sessions["bureau"].get(server.url("/compliance/people/"), timeout=30)
    assert "王甲" in bureau.text and "赵丙" in bureau.text
    b = cc.school_b_session.get(server.url("/compliance/people/"), timeout=30)
    assert "赵丙" in b.text and "王甲" not in b.text


def test_add_and_edit_a_person_with_devices(server, cc):
    from collector_server.compliance.models import Person

    a = cc.county.sessions["school_a"]
    url = server.url("/compliance/people/add/")
    device = cc.county.devices_a[1]
    response = post(
        a,
        url,
        {
            "organisation": cc.county.school_a.pk,
            "name": "孙丁",
            "role": "operator",
            "phone": "0393-5551234",
            "devices": [device.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    added = Person.objects.using(server.alias).get(organisation=cc.county.school_a, name="孙丁")
    assert list(added.devices.values_list("pk", flat=True)) == [device.pk]
    # a device of school B cannot be linked, a bad phone is refused with a message
    bad = post(
        a,
        url,
        {
            "organisation": cc.county.school_a.pk,
            "name": "周戊",
            "role": "staff",
            "phone": "not a phone",
            "devices": [cc.county.devices_b[0].pk],
        },
    )
    assert bad.status_code == 200
    assert "电话号码" in bad.text or "phone" in bad.text.lower()
    assert not Person.objects.using(server.alias).filter(name="周戊").exists()
    edit = server.url(f"/compliance/people/{added.pk}/")
    assert (
        post(
            a,
            edit,
            {
                "organisation": cc.county.school_a.pk,
                "name": "孙丁",
                "role": "staff",
                "phone": "",
                "active": "on",
            },
        ).status_code
        == 302
    )
    added.refresh_from_db()
    assert added.role == "staff" and added.devices.count() == 0
    # school A cannot move a person into school B
    moved = post(
        a,
        edit,
        {"organisation": cc.county.school_b.pk, "name": "孙丁", "role": "staff", "active": "on"},
    )
    assert moved.status_code == 200
    added.refresh_from_db()
    assert added.organisation_id == cc.county.school_a.pk


def test_export_is_scoped_and_neutralises_formulas(server, cc):
    from tests.collector.compliance_seed import person

    person(server.alias, cc.county.school_a, '=HYPERLINK("http://x")')
    a = cc.county.sessions["school_a"]
    response = a.get(server.url("/compliance/people/export.xlsx"), timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位", "姓名", "人员类别", "联系电话")
    names = {r[1] for r in rows[1:]}
    assert {"王甲", "李乙"} <= names and "赵丙" not in names
    assert '\'=HYPERLINK("http://x")' in names
    wang = next(r for r in rows if r[1] == "王甲")
    assert wang[2] == "信息资产运维人员" and wang[4] == cc.county.devices_a[0].hostname
    assert wang[5] == "未签订"


def _xlsx(tmp_path, rows, name="people.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def test_import_dry_run_then_apply_and_errors_in_chinese(server, cc, tmp_path):
    from collector_server.compliance.models import Person

    a = cc.county.sessions["school_a"]
    url = server.url("/compliance/people/import/")
    school_a, school_b = cc.county.school_a.name, cc.county.school_b.name
    bad = _xlsx(
        tmp_path,
        [
            ["单位", "姓名", "人员类别", "联系电话", "负责设备"],
            [school_a, "钱己", "运维人员", "13900001111", cc.county.devices_a[2].hostname],
            [school_b, "越权", "工作人员", "", ""],
            [school_a, "吴庚", "校长", "", ""],
            [school_a, "郑辛", "", "abc", ""],
            [school_a, "冯壬", "", "", "GHOST-PC"],
        ],
        "bad.xlsx",
    )
    with bad.open("rb") as fh:
        response = post(a, url, {}, files={"file": ("bad.xlsx", fh)})
    assert response.status_code == 200
    assert "不是您管理的学校或网吧" in response.text
    assert "未知的人员类别" in response.text
    assert "电话号码" in response.text
    assert "GHOST-PC" in response.text
    assert 'id="confirm-form"' not in response.text
    assert not Person.objects.using(server.alias).filter(name="钱己").exists()

    good = _xlsx(
        tmp_path,
        [
            ["单位", "姓名", "人员类别", "联系电话", "负责设备"],
            [school_a, "钱己", "运维人员", 13900001111, cc.county.devices_a[2].hostname],
            [school_a, "李乙", "其他人员", "", ""],
        ],
        "good.xlsx",
    )
    with good.open("rb") as fh:
        preview = post(a, url, {}, files={"file": ("good.xlsx", fh)})
    assert 'id="confirm-form"' in preview.text
    assert not Person.objects.using(server.alias).filter(name="钱己").exists()  # dry run
    applied = post(a, url, {"action": "confirm"})
    assert applied.status_code == 200 and "2" in applied.text
    qian = Person.objects.using(server.alias).get(organisation=cc.county.school_a, name="钱己")
    assert qian.role == "operator" and qian.phone == "13900001111"
    assert list(qian.devices.values_list("hostname", flat=True)) == [
        cc.county.devices_a[2].hostname
    ]
    li = Person.objects.using(server.alias).get(pk=cc.people_a[1].pk)
    assert li.role == "other"
    assert (
        Person.objects.using(server.alias)
        .filter(organisation=cc.county.school_a, name="李乙")
        .count()
        == 1
    )
