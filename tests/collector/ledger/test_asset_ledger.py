"""The ledger as an asset ledger: device page and export of a real report, over HTTP.

The device is a virtual machine as agents really report one: its only card has QEMU's
52:54:00 MAC (which the identity leaves out), a loopback card with 127.0.0.1 / ::1, the
system disk /dev/vda listed once per mount point and an OS name that already holds its
version.
"""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook

from agent.wire.report import DiskInfo, NICInfo, OSInfo
from tests.collector.factories import make_identity, make_report
from tests.collector.web.test_dashboard_seed import seed_county

VM_MAC = "52:54:00:12:34:56"


@pytest.fixture(scope="module")
def vm(server):
    county = seed_county(server, per_school=1)
    identity = make_identity(f"vm-{server.alias}", hostname=f"VM-{server.alias}", macs=[])
    identity.manufacturer, identity.product = "QEMU", "Standard PC (Q35 + ICH9, 2009)"
    report = make_report(identity, findings=1, gpu=None)
    report.findings[0].rule = "pool_domain:pool.example"
    hw = report.hardware
    hw.nics = [
        NICInfo(name="lo", mac="00:00:00:00:00:00", ipv4=["127.0.0.1"], ipv6=["::1"], up=True),
        NICInfo(
            name="enp1s0",
            mac=VM_MAC,
            ipv4=["10.0.2.15"],
            ipv6=["fe80::5054:ff:fe12:3456"],
            up=True,
            physical=True,
        ),
    ]
    hw.disks = [
        DiskInfo(device="/dev/vda", model="QEMU HARDDISK", size_gb=64, mountpoint="/"),
        DiskInfo(device="/dev/vda", model="QEMU HARDDISK", size_gb=64, mountpoint="/boot"),
    ]
    hw.os = OSInfo(
        name="Ubuntu 22.04.4 LTS",
        version="22.04.4 LTS (Jammy Jellyfish)",
        hostname=identity.hostname,
    )
    token = server.enrolled(county.school_a, identity)
    response = server.upload(token, report)
    assert response.status_code in (200, 201, 202), response.text
    device = server.devices().get(hostname=identity.hostname)
    from collector_server.ledger.models import EgressLine, ManagedRange

    EgressLine.objects.using(server.alias).create(
        organisation=county.school_a,
        isp="中国电信",
        addresses="203.0.113.8\n203.0.113.16/29",
        bandwidth_mbps=500,
        note="教学网",
    )
    ManagedRange.objects.using(server.alias).create(
        organisation=county.school_a, cidr="10.0.2.0/24", note="机房"
    )
    return county, identity, device


def _cell(page: str, element_id: str) -> str:
    end = "</table>" if element_id.endswith("-table") else "</td>"
    match = re.search(rf'id="{element_id}"[^>]*>(.*?){end}', page, re.S)
    assert match, element_id
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def test_device_page_is_an_asset_record(server, vm):
    county, identity, device = vm
    page = county.sessions["bureau"].get(server.url(f"/devices/{device.pk}/"), timeout=30)
    assert page.status_code == 200
    text = page.text
    assert VM_MAC in _cell(text, "dev-macs")  # was "—": the identity has no MAC of a VM
    nics = _cell(text, "nic-table")
    assert "enp1s0" in nics and VM_MAC in nics and "10.0.2.15" in nics
    assert "127.0.0.1" not in nics and "::1" not in nics.replace("fe80", "")
    ips = _cell(text, "dev-ips")
    assert "10.0.2.15" in ips and "127.0.0.1" not in ips and "::1" not in ips
    assert _cell(text, "disk-table").count("/dev/vda") == 1
    assert _cell(text, "dev-os").split() == ["Ubuntu", "22.04.4", "LTS"]
    assert _cell(text, "dev-cores").split() == ["6", "/", "6"]
    assert identity.parts.system_serial in _cell(text, "dev-serial")
    assert identity.parts.system_uuid in _cell(text, "dev-uuid")
    assert "QEMU" in _cell(text, "dev-vendor")
    findings = text.split('id="findings"')[1]
    for label in ("进程号", "进程名", "程序路径", "SHA-256"):
        assert f"<th>{label}</th>" in findings, label
    assert "<th>process_name</th>" not in findings and "<th>pid</th>" not in findings
    rule = findings.split('class="small rule"')[1].split("</div>")[0]
    assert "已知矿池域名（pool.example）" in rule  # the title, the id kept beside it


def test_ingest_stores_usable_ips_and_the_os_version_once(server, vm):
    _county, _identity, device = vm
    device.refresh_from_db(using=server.alias)
    assert device.ip_addresses == ["10.0.2.15"]  # no 127.0.0.1, ::1, fe80::
    assert device.os_name == "Ubuntu 22.04.4 LTS"
    assert "127.0.0.1" not in device.network_text


def test_export_has_asset_columns_and_networks(server, vm):
    county, identity, device = vm
    bureau = county.sessions["bureau"]
    got = bureau.get(server.url(f"/ledger/export.xlsx?org={county.school_a.pk}"), timeout=60)
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    row = dict(zip(header, next(r for r in rows[1:] if r[2] == identity.hostname), strict=True))
    assert row["IP地址"] == "10.0.2.15"
    assert row["MAC地址"] == VM_MAC
    assert row["操作系统"] == "Ubuntu 22.04.4 LTS"
    assert row["硬盘"].count("/dev/vda") == 1 and "64 GB" in row["硬盘"]
    assert row["序列号"] == identity.parts.system_serial
    assert row["系统UUID"] == identity.parts.system_uuid
    assert row["设备编号"] == device.pk
    assert len(book.worksheets) == 2
    net = [list(r) for r in book.worksheets[1].iter_rows(values_only=True)]
    assert net[0][:4] == ["单位/组织", "类别", "运营商", "地址/地址段"]
    assert [county.school_a.name, "出口线路", "中国电信", "203.0.113.16/29", 500, "教学网"] in net
    assert [county.school_a.name, "IP地址段", None, "10.0.2.0/24", None, "机房"] in net

    as_csv = bureau.get(server.url(f"/ledger/networks.csv?org={county.school_a.pk}"), timeout=60)
    assert as_csv.status_code == 200 and as_csv.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [county.school_a.name, "出口线路", "中国电信", "203.0.113.8", "500", "教学网"] in table
    # another school's user sees none of school A's lines
    other = server.user("school_staff", county.school_b)
    session = server.login(other[0].username, other[1])
    theirs = session.get(server.url("/ledger/networks.csv"), timeout=60).content.decode("utf-8-sig")
    assert "203.0.113.8" not in theirs


def test_import_adds_devices_that_never_ran_the_agent(server, vm, tmp_path):
    from openpyxl import Workbook

    from tests.collector.web.test_dashboard_seed import post_form

    county, _identity, _device = vm
    school = county.sessions["school_a"]
    host = f"GPU-WS-{server.alias}"
    wb = Workbook()
    wb.active.append(["单位/组织", "主机名", "MAC地址", "IP地址", "部署位置", "责任人"])
    wb.active.append(
        [county.school_a.name, host, "00-1B-21-AA-BB-CC", "10.1.2.3", "实验室", "王老师"]
    )
    good = tmp_path / "new.xlsx"
    wb.save(good)
    wb.active.append([county.school_b.name, "NOT-MINE", "", "", "越权", ""])
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    page = server.url("/ledger/import/")

    def upload(path):
        with open(path, "rb") as fh:
            return post_form(school, page, page, {}, files={"file": (path.name, fh)})

    refused = upload(bad)  # another school's name: not the user's to add to
    errors = refused.text.split('id="import-errors"')[1].split("</table>")[0]
    assert "<td>3</td>" in errors and 'id="confirm-form"' not in refused.text
    preview = upload(good)
    assert preview.status_code == 200
    new = preview.text.split('id="import-new"')[1].split("</table>")[0]
    assert host in new and "未运行客户端" in new
    assert not server.devices().filter(hostname=host).exists()  # the dry run added nothing
    done = post_form(school, page, page, {"action": "confirm"})
    assert done.status_code == 200
    added = server.devices().get(hostname=host)
    assert (
        added.runs_agent,
        added.organisation_id,
        added.location,
        added.macs,
        added.ip_addresses,
    ) == (False, county.school_a.pk, "实验室", ["00:1b:21:aa:bb:cc"], ["10.1.2.3"])
    ledger = school.get(server.url(f"/ledger/?q={host}"), timeout=30).text
    assert "未运行客户端" in ledger
    device_page = school.get(server.url(f"/devices/{added.pk}/"), timeout=30).text
    assert 'id="not-reporting"' in device_page
    # never counted as a silent agent, even long after it was added
    from datetime import timedelta

    from django.utils import timezone

    server.devices().filter(pk=added.pk).update(first_seen=timezone.now() - timedelta(days=90))
    stale = county.sessions["bureau"].get(server.url("/distribution/stale/"), timeout=30)
    assert stale.status_code == 200 and host not in stale.text
    for seen in ("never", "stale"):  # the overview's "never reported" card links here
        listed = school.get(server.url(f"/ledger/?seen={seen}"), timeout=30)
        assert listed.status_code == 200 and host not in listed.text, seen

    # the agent is installed later: its enrollment takes over the imported entry
    identity = make_identity(f"adopt-{server.alias}", hostname=host.lower())
    answer = server.enroll(server.enrollment_token(county.school_a), identity)
    assert answer.status_code in (200, 201), answer.text
    rows = list(server.devices().filter(hostname__iexact=host))
    assert [(d.pk, d.runs_agent, d.location, d.fingerprint) for d in rows] == [
        (added.pk, True, "实验室", identity.fingerprint)
    ]
