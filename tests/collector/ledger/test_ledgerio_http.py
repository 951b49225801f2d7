"""Ledger export and import through the dashboard over the real server (both backends)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from tests.collector.web.test_dashboard_seed import make_device, post_form, seed_county


@pytest.fixture(scope="module")
def county(server):
    return seed_county(server)


def test_export_follows_filters_and_scope(server, county):
    bureau = county.sessions["bureau"]
    mining = bureau.get(
        server.url(f"/ledger/export.xlsx?org={county.bureau.pk}&verdict=mining"), timeout=60
    )
    assert mining.status_code == 200
    assert mining.headers["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert "attachment" in mining.headers["Content-Disposition"]
    rows = list(
        load_workbook(io.BytesIO(mining.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert {r[2] for r in rows[1:]} == {d.hostname for d in county.devices_b}
    as_csv = bureau.get(server.url(f"/ledger/export.csv?org={county.school_a.pk}"), timeout=60)
    assert as_csv.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert table[0][2] == "主机名"
    assert {r[2] for r in table[1:]} == {d.hostname for d in county.devices_a}
    school = county.sessions["school_a"]
    assert school.get(server.url("/ledger/export.pdf"), timeout=30).status_code == 400
    all_rows = school.get(server.url("/ledger/export.csv"), timeout=60).content.decode("utf-8-sig")
    assert all(d.hostname not in all_rows for d in county.devices_b)


def _upload(session, server, path, name):
    page = server.url("/ledger/import/")
    with open(path, "rb") as fh:
        return post_form(session, page, page, {}, files={"file": (name, fh)})


def test_import_preview_then_confirm(server, county, tmp_path):
    school = county.sessions["school_a"]
    target = make_device(server.alias, county.school_a, "IMPORT-PC-1")
    wb = Workbook()
    wb.active.append(["主机名", "部署位置", "责任人", "联系电话"])
    wb.active.append([target.hostname, "综合楼201", "陈老师", 13900001111])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    wb.active.append(["GHOST-PC", "x", "", ""])
    wb.active.append([county.devices_b[0].hostname, "越权", "", ""])
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)

    preview = _upload(school, server, bad, "bad.xlsx")
    assert preview.status_code == 200
    section = preview.text.split('id="import-errors"')[1].split("</table>")[0]
    errors = re.findall(r"<tr><td>(\d+)</td><td>", section)
    assert errors == ["3", "4"]
    assert 'id="confirm-form"' not in preview.text
    target.refresh_from_db(using=server.alias)
    assert target.location == ""

    preview = _upload(school, server, good, "good.xlsx")
    assert 'id="confirm-form"' in preview.text and "综合楼201" in preview.text
    target.refresh_from_db(using=server.alias)
    assert target.location == ""  # the preview changed nothing
    page = server.url("/ledger/import/")
    done = post_form(school, page, page, {"action": "confirm"})
    assert done.status_code == 200 and "已更新 1 台设备" in done.text
    target.refresh_from_db(using=server.alias)
    assert (target.location, target.responsible_person, target.responsible_phone) == (
        "综合楼201",
        "陈老师",
        "13900001111",
    )
    again = post_form(school, page, page, {"action": "confirm"})  # the file is used once
    assert again.status_code == 302

    viewer = county.sessions["viewer"]
    refused = _upload(viewer, server, good, "good.xlsx")
    assert refused.status_code == 302
    assert 'id="import-form"' not in viewer.get(page, timeout=30).text
