"""Ledger export (XLSX/CSV) and import (dry run, errors, real run) at the service level,
in-process on SQLite; the HTTP paths are in test_ledgerio_http.py."""

from __future__ import annotations

import csv
import io
import secrets

import pytest
from openpyxl import Workbook, load_workbook

from tests.collector.serverenv import ServerEnv
from tests.collector.web.test_dashboard_seed import make_device


@pytest.fixture(scope="module")
def env(django_dbs) -> ServerEnv:
    """Seeding helpers on the in-process SQLite database (no server needed)."""
    return ServerEnv(base_url="", alias="default", backend="sqlite")


@pytest.fixture
def schools(env):
    bureau = env.org("教育局", kind="county")
    a, b = env.org("一中", parent=bureau), env.org("二中", parent=bureau)
    tag = secrets.token_hex(2)
    devs_a = [make_device("default", a, f"A{tag}-{i}", location="旧位置") for i in range(3)]
    devs_b = [make_device("default", b, f"B{tag}-{i}") for i in range(2)]
    user_a, _ = env.user("school_staff", a)
    return {"bureau": bureau, "a": a, "b": b, "devs_a": devs_a, "devs_b": devs_b, "user_a": user_a}


def _devices_of(org):
    from collector_server.ledger.models import Device

    return Device.objects.filter(organisation__path__startswith=org.path)


def test_export_xlsx_and_csv(schools):
    from django.utils import translation

    from collector_server.ledger.columns import COLUMNS
    from collector_server.ledger.excel import export_ledger

    schools["devs_a"][0].__class__.objects.filter(pk=schools["devs_a"][0].pk).update(
        high_performance=True,
        high_performance_reason="RTX 4090",
        memory_mb=65536,
        last_verdict="mining",
        last_mode="passive",
    )
    buf = io.BytesIO()
    assert export_ledger(_devices_of(schools["bureau"]), "xlsx", buf) == 5
    rows = list(load_workbook(io.BytesIO(buf.getvalue())).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert header == tuple(c.zh for c in COLUMNS)
    by_host = {r[header.index("主机名")]: r for r in rows[1:]}
    assert set(by_host) == {d.hostname for d in schools["devs_a"] + schools["devs_b"]}
    first = by_host[schools["devs_a"][0].hostname]
    assert first[header.index("单位/组织")] == schools["a"].name
    assert first[header.index("部署位置")] == "旧位置"
    assert first[header.index("高性能设备")] == "是"
    assert first[header.index("内存(GB)")] == 64
    assert first[header.index("检查结论")] == "挖矿（被动）"
    assert first[header.index("MAC地址")] == schools["devs_a"][0].macs[0]

    raw = io.BytesIO()
    with translation.override("en"):
        assert export_ledger(_devices_of(schools["a"]), "csv", raw) == 3
    data = raw.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][:3] == ["Organisation", "Asset tag", "Hostname"]
    assert len(table) == 4
    text = io.StringIO()
    assert export_ledger(_devices_of(schools["a"]), "csv", text) == 3
    assert text.getvalue().startswith("\ufeff")
    with pytest.raises(ValueError, match="unknown export format"):
        export_ledger(_devices_of(schools["a"]), "pdf", io.BytesIO())


def _xlsx(path, rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_import_dry_run_reports_bad_rows_and_changes_nothing(schools, tmp_path):
    from collector_server.ledger.excel import import_ledger
    from collector_server.ledger.models import Device

    a0, a1, a2 = schools["devs_a"]
    twin = make_device("default", schools["a"], a2.hostname)  # a cloned PC's hostname
    path = _xlsx(
        tmp_path / "fix.xlsx",
        [
            ["主机名", "部署位置", "责任人", "联系电话"],
            [a0.hostname, "实验楼301", "张老师", "13800138000"],
            ["NO-SUCH-PC", "x", "y", ""],
            [a1.hostname, "机房", "李老师", "not a phone"],
            [a2.hostname, "机房2", "", ""],
            [schools["devs_b"][0].hostname, "越权", "", ""],  # another school: out of scope
            [a0.hostname, "again", "", ""],
        ],
    )
    before = {
        d.pk: (d.location, d.responsible_person)
        for d in Device.objects.filter(organisation=schools["a"])
    }
    result = import_ledger(path, schools["user_a"], dry_run=True)
    assert result.dry_run and not result.applied
    errors = {e.row: e.message for e in result.errors}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "找不到" in errors[3]  # unknown device (messages follow the active language: zh)
    assert "not a phone" in errors[4] and "电话" in errors[4]
    assert "不唯一" in errors[5] and "2" in errors[5]  # ambiguous: two devices match
    assert "找不到" in errors[6]  # another school's device is not found, not revealed
    assert "第 2 行" in errors[7]  # the same device twice
    assert [c.row for c in result.changes] == [2]
    assert result.changes[0].changes["location"] == ("旧位置", "实验楼301")
    # a real run with errors changes nothing either
    real = import_ledger(path, schools["user_a"], dry_run=False)
    assert not real.applied and real.errors
    after = {
        d.pk: (d.location, d.responsible_person)
        for d in Device.objects.filter(organisation=schools["a"])
    }
    assert after == before
    assert twin.pk in after


def test_import_unknown_column_and_missing_keys(schools, tmp_path):
    from collector_server.ledger.excel import import_ledger

    bad = tmp_path / "bad.csv"
    bad.write_text("主机名,部署位置,工资\nX,Y,1\n", encoding="utf-8")
    result = import_ledger(bad, None, dry_run=True)
    assert [(e.row, "工资" in e.message) for e in result.errors] == [(1, True)]
    nokey = tmp_path / "nokey.csv"
    nokey.write_text("部署位置\nY\n", encoding="utf-8")
    assert import_ledger(nokey, None, dry_run=True).errors[0].row == 1
    other = tmp_path / "ledger.pdf"
    other.write_bytes(b"%PDF")
    assert "pdf" in import_ledger(other, None, dry_run=True).errors[0].message
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert import_ledger(broken, None, dry_run=True).errors[0].row == 0


def test_real_import_updates_person_fields(schools, tmp_path):
    from collector_server.ledger.excel import import_ledger
    from collector_server.ledger.models import Device

    a0, a1, _a2 = schools["devs_a"]
    # GB18030 CSV as Excel saves it on a Chinese Windows; match by MAC and by asset tag
    Device.objects.filter(pk=a1.pk).update(asset_tag="ZC-0001")
    path = tmp_path / "fix.csv"
    mac = a0.macs[0].upper().replace(":", "-")
    path.write_bytes(
        (
            "MAC地址,资产编号,部署位置,管理部门,责任人,联系电话,CPU\n"
            f"{mac},ZC-0100,实验楼301,教务处,张老师,0571-88886666,i5\n"
            ",ZC-0001,图书馆,,,,\n"
        ).encode("gb18030")
    )
    preview = import_ledger(path, schools["user_a"], dry_run=True)
    assert preview.ok and len(preview.changes) == 2
    assert Device.objects.get(pk=a0.pk).location == "旧位置"
    result = import_ledger(path, schools["user_a"], dry_run=False)
    assert result.applied and not result.errors
    d0, d1 = Device.objects.get(pk=a0.pk), Device.objects.get(pk=a1.pk)
    assert (
        d0.location,
        d0.department,
        d0.responsible_person,
        d0.responsible_phone,
        d0.asset_tag,
    ) == ("实验楼301", "教务处", "张老师", "0571-88886666", "ZC-0100")
    assert (d1.location, d1.asset_tag, d1.department) == ("图书馆", "ZC-0001", "")
    assert d0.cpu_model == ""  # export-only columns are ignored
    again = import_ledger(path, schools["user_a"], dry_run=True)
    assert again.ok and not again.changes and again.unchanged == 2


def test_exported_file_imports_back_after_editing(schools, tmp_path):
    from collector_server.ledger.excel import export_ledger, import_ledger
    from collector_server.ledger.models import Device

    path = tmp_path / "roundtrip.xlsx"
    with path.open("wb") as out:
        export_ledger(_devices_of(schools["a"]), "xlsx", out)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    ws.cell(row=2, column=header.index("责任人") + 1, value="赵老师")
    wb.save(path)
    result = import_ledger(path, schools["user_a"], dry_run=False)
    assert result.applied, result.errors
    assert [c.changes for c in result.changes] == [{"responsible_person": ("", "赵老师")}]
    host = ws.cell(row=2, column=header.index("主机名") + 1).value
    assert Device.objects.get(hostname=host, organisation=schools["a"]).responsible_person == (
        "赵老师"
    )


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TEXT_COLUMNS = (
    "organisation",
    "asset_tag",
    "hostname",
    "location",
    "department",
    "responsible_person",
    "responsible_phone",
    "ip_addresses",
    "macs",
    "high_performance_reason",
    "cpu_model",
    "gpu_models",
    "os_name",
    "signature_version",
    "notes",
)


@pytest.fixture
def hostile_devices(env):
    """One organisation and device per formula prefix, every text column starting with it."""
    bureau = env.org(f"局{secrets.token_hex(2)}", kind="county")
    for prefix in FORMULA_PREFIXES:
        org = env.org(prefix + "cmd|' /C calc'!A0 org", parent=bureau)
        payload = prefix + "cmd|' /C calc'!A0"
        make_device(
            "default",
            org,
            payload,
            asset_tag=payload,
            location=payload,
            department=payload,
            responsible_person=payload,
            responsible_phone=payload,
            ip=payload,
            mac=payload,
            high_performance_reason=payload,
            cpu_model=payload,
            gpu_models=payload,
            os_name=payload,
            signature_version=payload,
            notes=payload,
            memory_mb=2048,
        )
    return bureau


def _column_index(key):
    from collector_server.ledger.columns import COLUMNS

    return [c.key for c in COLUMNS].index(key)


def test_export_xlsx_neutralises_formula_prefixes_in_every_column(hostile_devices):
    """OWASP CSV injection: each prefix in each text column is a quoted string cell."""
    from collector_server.ledger.excel import export_ledger

    buf = io.BytesIO()
    assert export_ledger(_devices_of(hostile_devices), "xlsx", buf) == len(FORMULA_PREFIXES)
    ws = load_workbook(io.BytesIO(buf.getvalue())).worksheets[0]
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(FORMULA_PREFIXES)
    seen_prefixes = set()
    for row in rows:
        for key in TEXT_COLUMNS:
            cell = row[_column_index(key)]
            assert cell.data_type == "s", (key, cell.value, cell.data_type)
            assert cell.value.startswith("'"), (key, cell.value)
            seen_prefixes.add(cell.value[1].replace("\n", "\r"))  # XML reads CR back as LF
        memory = row[_column_index("memory_gb")]
        assert memory.data_type == "n" and memory.value == 2.0
    assert seen_prefixes == set(FORMULA_PREFIXES)


def test_export_csv_neutralises_formula_prefixes_in_every_column(hostile_devices):
    from collector_server.ledger.excel import export_ledger

    buf = io.BytesIO()
    export_ledger(_devices_of(hostile_devices), "csv", buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue().decode("utf-8-sig"))))[1:]
    assert len(rows) == len(FORMULA_PREFIXES)
    for row in rows:
        for key in TEXT_COLUMNS:
            value = row[_column_index(key)]
            assert value.startswith("'") and value[1] in FORMULA_PREFIXES, (key, value)
        assert row[_column_index("memory_gb")] == "2.0"


def test_neutralise_keeps_negative_numbers_numeric():
    from collector_server.ledger.excel import neutralise_cell

    assert neutralise_cell(-3.5) == -3.5
    assert neutralise_cell(0) == 0
    assert neutralise_cell("-3.5") == "'-3.5"
    assert neutralise_cell("plain") == "plain"


def _zip_bomb_xlsx(path, sheet_rows: int):
    """A real xlsx whose sheet holds ``sheet_rows`` rows: tiny on disk, huge as XML."""
    import zipfile

    small = tmp = path.with_suffix(".small.xlsx")
    _xlsx(small, [["主机名", "部署位置"], ["PC-1", "x"]])
    with (
        zipfile.ZipFile(tmp) as src,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(info, src.read(info.filename))
                continue
            with dst.open(info.filename, "w", force_zip64=True) as out:
                out.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://'
                    b'schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                row = (
                    b'<row><c t="inlineStr"><is><t>PC-0000000</t></is></c>'
                    b'<c t="inlineStr"><is><t>room</t></is></c></row>'
                )
                chunk = row * 10_000
                for _ in range(sheet_rows // 10_000):
                    out.write(chunk)
                out.write(b"</sheetData></worksheet>")
    return path


def test_import_refuses_xlsx_zip_bomb_before_parsing(tmp_path):
    """~45 MB of sheet XML in a small file: refused from the zip directory, in Chinese."""
    from collector_server.ledger.excel import import_ledger

    bomb = _zip_bomb_xlsx(tmp_path / "bomb.xlsx", 500_000)
    assert bomb.stat().st_size < 1024 * 1024
    result = import_ledger(bomb, None, dry_run=True)
    assert [e.row for e in result.errors] == [0]
    assert "文件过大" in result.errors[0].message and "拆分" in result.errors[0].message
    assert not result.changes and not result.applied


def test_import_refuses_too_many_rows(tmp_path):
    from collector_server.ledger.excel import MAX_IMPORT_ROWS, import_ledger

    many = tmp_path / "many.csv"
    many.write_text("主机名,部署位置\n" + "PC,x\n" * (MAX_IMPORT_ROWS + 1), encoding="utf-8")
    result = import_ledger(many, None, dry_run=True)
    assert [e.row for e in result.errors] == [0] and "文件过大" in result.errors[0].message
    rows = tmp_path / "rows.xlsx"
    _zip_bomb_xlsx(rows, MAX_IMPORT_ROWS + 10_000)  # small XML, too many rows
    result = import_ledger(rows, None, dry_run=True)
    assert [e.row for e in result.errors] == [0] and "文件过大" in result.errors[0].message
