"""Pledges over the real server: printable PDFs (read back with pypdf), signed-scan upload
(type by magic bytes, size limit, nothing lost), completion and deadline, re-signing."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.collector.compliance_seed import person, post, seed

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
PDF = b"%PDF-1.4\n% scanned pledge\n" + b"0" * 5000 + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def cc(server):
    return seed(server)


def _text(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def _embedded_fonts(reader: PdfReader) -> set[str]:
    found = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    found.add(str(descendant.get_object()["/BaseFont"]))
    return found


def test_person_pdf_has_seed_text_name_unit_date_and_embedded_font(server, cc):
    a = cc.county.sessions["school_a"]
    wang = cc.people_a[0]
    response = a.get(server.url(f"/compliance/pledges/person/{wang.pk}.pdf"), timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    [text] = _text(reader)
    flat = "".join(text.split())
    assert "坚决抵制虚拟货币“挖矿”活动承诺书" in flat
    assert f"{cc.county.school_a.name}王甲（单位/个人名称）现郑重承诺如下" in flat
    assert "决不参与虚拟货币“挖矿”活动" in flat
    assert "承诺单位（加盖公章）/承诺人：王甲" in flat
    assert "负责人（签字）" in flat
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in flat
    assert any("WenQuanYi" in name or "Micro" in name for name in _embedded_fonts(reader)), (
        _embedded_fonts(reader)
    )
    education = a.get(
        server.url(f"/compliance/pledges/person/{wang.pk}.pdf?variant=education"), timeout=60
    )
    flat = "".join(_text(PdfReader(io.BytesIO(education.content)))[0].split())
    assert "如违背承诺" in flat and "负责人（签字）" not in flat


def test_batch_pdf_is_the_unit_then_one_page_per_person(server, cc):
    bureau = cc.county.sessions["bureau"]
    response = bureau.get(
        server.url(f"/compliance/pledges/batch/{cc.county.school_a.pk}.pdf"), timeout=60
    )
    assert response.status_code == 200
    pages = ["".join(t.split()) for t in _text(PdfReader(io.BytesIO(response.content)))]
    from collector_server.compliance.models import Person

    names = list(
        Person.objects.using(server.alias)
        .filter(organisation=cc.county.school_a, active=True)
        .order_by("name", "pk")
        .values_list("name", flat=True)
    )
    assert len(pages) == 1 + len(names)
    assert f"承诺人：{cc.county.school_a.name}" in pages[0]
    for page, name in zip(pages[1:], names, strict=True):
        assert f"承诺人：{name}" in page


def _upload(session, server, target: str, name: str, data: bytes):
    url = server.url(f"/compliance/pledges/upload/?{target}")
    return post(
        session,
        url,
        {"signed_on": timezone.localdate().isoformat(), "variant": "county"},
        files={"file": (name, io.BytesIO(data))},
        page=server.url("/compliance/pledges/"),
    )


def _leftovers() -> list[Path]:
    from django.conf import settings

    return list((Path(settings.DATA_DIR) / "pledges").glob(".part-*"))


def test_upload_refuses_wrong_type_and_oversized_with_a_message(server, cc):
    from collector_server.compliance.models import Pledge

    a = cc.county.sessions["school_a"]
    target = f"person={cc.people_a[1].pk}"
    before = Pledge.objects.using(server.alias).count()
    form = a.get(server.url(f"/compliance/pledges/upload/?{target}"), timeout=30).text
    # a browser's <input type=date> only takes ISO dates (the zh format 2026/12/03 is dropped)
    assert f'type="date" name="signed_on" value="{timezone.localdate().isoformat()}"' in form
    text = _upload(a, server, target, "承诺书.pdf", b"this is not a scan, only text\n")
    assert text.status_code == 400
    assert "不是 PDF、JPEG 或 PNG 文件" in text.text
    exe = _upload(a, server, target, "scan.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    assert exe.status_code == 400 and "不是 PDF、JPEG 或 PNG 文件" in exe.text
    big = _upload(a, server, target, "big.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    assert big.status_code == 400
    assert "文件太大" in big.text and "10.0 MB" in big.text
    assert Pledge.objects.using(server.alias).count() == before
    assert _leftovers() == []
    # another school's person is not found, and a viewer may not upload
    other = _upload(a, server, f"person={cc.people_b[0].pk}", "s.png", PNG)
    assert other.status_code == 404
    viewer = _upload(cc.county.sessions["viewer"], server, target, "s.png", PNG)
    assert viewer.status_code == 403


def test_upload_keeps_every_scan_and_completion_counts(server, cc):
    from collector_server.compliance.models import Pledge

    a = cc.county.sessions["school_a"]
    wang = cc.people_a[0]
    for data, name in ((PNG, "wang.png"), (PDF, "wang-again.pdf")):
        response = _upload(a, server, f"person={wang.pk}", name, data)
        assert response.status_code == 302, response.text[:3000]
    rows = list(Pledge.objects.using(server.alias).filter(person=wang).order_by("id"))
    assert [(r.scan_type, r.scan_size) for r in rows] == [
        ("image/png", len(PNG)),
        ("application/pdf", len(PDF)),
    ]
    for row, data in zip(rows, (PNG, PDF), strict=True):
        got = a.get(server.url(f"/compliance/pledges/{row.pk}/scan"), timeout=30)
        assert got.status_code == 200 and got.content == data
        assert row.scan_sha256 == hashlib.sha256(data).hexdigest()
    assert (
        cc.school_b_session.get(
            server.url(f"/compliance/pledges/{rows[0].pk}/scan"), timeout=30
        ).status_code
        == 404
    )
    listing = cc.school_b_session.get(server.url("/compliance/pledges/"), timeout=30).text
    assert "wang.png" not in listing
    home = a.get(server.url("/compliance/"), timeout=30).text
    row = home.split(f'data-org="{cc.county.school_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>2</td><td>1</td><td>50.0</td>" in row  # 王甲 signed, 李乙 not
    assert cc.county.school_b.name not in home
    missing = a.get(server.url("/compliance/people/?pledge=missing"), timeout=30).text
    assert "李乙" in missing and "王甲" not in missing


def test_bureau_deadline_makes_schools_overdue(server, cc):
    bureau = cc.county.sessions["bureau"]
    url = server.url(f"/compliance/settings/{cc.county.bureau.pk}/")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    refused = post(
        cc.county.sessions["school_a"],
        url,
        {"deadline": yesterday, "variant": "county"},
        page=server.url("/compliance/"),
    )
    assert refused.status_code == 404  # the bureau is outside a school's scope
    viewer = post(
        cc.county.sessions["viewer"],
        url,
        {"deadline": yesterday, "variant": "county"},
        page=server.url("/compliance/"),
    )
    assert viewer.status_code == 403
    saved = post(
        bureau,
        url,
        {"deadline": yesterday, "variant": "education"},
        page=server.url("/compliance/"),
    )
    assert saved.status_code == 302
    home = bureau.get(server.url("/compliance/"), timeout=30).text
    county_row = home.split('id="county-completion"', 1)[1].split("</table>", 1)[0]
    assert "已超期" in county_row
    school_b_row = home.split(f'data-org="{cc.county.school_b.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "已超期" in school_b_row
    # the bureau's choice of text is what schools print by default
    pdf = cc.county.sessions["school_a"].get(
        server.url(f"/compliance/pledges/unit/{cc.county.school_a.pk}.pdf"), timeout=60
    )
    flat = "".join(_text(PdfReader(io.BytesIO(pdf.content)))[0].split())
    assert "如违背承诺" in flat and "负责人（签字）" not in flat


def test_case_blockers_until_the_miner_signs_again(server, cc):
    if server.alias != "default":
        pytest.skip("the case services run on the default database")
    from collector_server.compliance.models import Pledge
    from collector_server.compliance.services import case_blockers
    from collector_server.notices.models import Case, Notice
    from tests.collector.web.test_dashboard_seed import make_device

    now = timezone.now()
    miner = make_device(
        server.alias, cc.county.school_a, "MINER-PC", last_verdict="mining", last_mode="active"
    )
    passive = make_device(
        server.alias, cc.county.school_a, "PASSIVE-PC", last_verdict="mining", last_mode="passive"
    )
    zhou = person(server.alias, cc.county.school_a, "周学生", "other", [miner])
    teacher = person(server.alias, cc.county.school_a, "吴老师", "staff", [passive])
    Pledge.objects.create(
        organisation=cc.county.school_a,
        person=zhou,
        signed_on=now.date(),
        scan_file="x",
        scan_name="old.pdf",
        scan_type="application/pdf",
        uploaded_at=now - timedelta(days=30),
    )
    notice = Notice.objects.create(
        organisation=cc.county.bureau, source="police", number="公网安〔2026〕9号", received_at=now
    )
    case = Case.objects.create(notice=notice, organisation=cc.county.school_a, received_at=now)
    case.devices.set([miner, passive])
    blockers = case_blockers(case)
    assert len(blockers) == 1
    assert "周学生" in blockers[0] and "MINER-PC" in blockers[0] and "重新签订" in blockers[0]
    assert teacher.name not in " ".join(blockers)
    a = cc.county.sessions["school_a"]
    missing = a.get(server.url("/compliance/people/?pledge=missing"), timeout=30).text
    row = missing.split("周学生", 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="resign"' in row and "须重新签订" in row
    assert "吴老师" in missing and 'data-testid="resign"' not in missing.split("吴老师", 1)[1][:400]
    response = _upload(a, server, f"person={zhou.pk}", "z.png", PNG)
    assert response.status_code == 302
    assert case_blockers(case) == []
    missing = a.get(server.url("/compliance/people/?pledge=missing"), timeout=30).text
    assert "周学生" not in missing.split('id="people-table"', 1)[1]


def test_unit_pledge_and_overdue_cases_list(server, cc):
    from collector_server.compliance.models import Pledge

    a = cc.county.sessions["school_a"]
    home = a.get(server.url("/compliance/"), timeout=30).text
    row = home.split(f'data-org="{cc.county.school_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>已签订</td>" not in row and f"?org={cc.county.school_a.pk}" in row
    response = _upload(
        a,
        server,
        f"org={cc.county.school_a.pk}",
        "公章.jpg",
        b"\xff\xd8\xff\xe0" + b"\x10JFIF" + b"\x00" * 2000,
    )
    assert response.status_code == 302, response.text[:2000]
    unit = Pledge.objects.using(server.alias).get(
        organisation=cc.county.school_a, person__isnull=True
    )
    assert unit.scan_type == "image/jpeg" and unit.scan_name == "公章.jpg"
    home = a.get(server.url("/compliance/"), timeout=30).text
    row = home.split(f'data-org="{cc.county.school_a.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "<td>已签订</td>" in row
    assert (
        _upload(a, server, f"org={cc.county.school_b.pk}", "x.jpg", b"\xff\xd8\xff\xe0").status_code
        == 404
    )
    if server.alias != "default":
        return
    from collector_server.notices.models import Case, Notice

    old = timezone.now() - timedelta(days=5)
    notice = Notice.objects.create(
        organisation=cc.county.bureau,
        source="province",
        number="省监测〔2026〕88号",
        received_at=old,
    )
    Case.objects.create(notice=notice, organisation=cc.county.school_b, received_at=old)
    b_list = cc.school_b_session.get(server.url("/compliance/cases/overdue/"), timeout=30).text
    assert "省监测〔2026〕88号" in b_list
    a_list = a.get(server.url("/compliance/cases/overdue/"), timeout=30).text
    assert "省监测〔2026〕88号" not in a_list
    overview = cc.school_b_session.get(server.url("/"), timeout=30).text
    card = overview.split('data-testid="due-cases_overdue"', 1)[1].split("</a>", 1)[0]
    assert ">1</div>" in card


def test_missing_font_is_a_clear_chinese_error(monkeypatch, tmp_path, django_dbs):
    from django.utils import translation

    from collector_server.compliance import pdf

    monkeypatch.setenv("MINECHECK_CJK_FONT", str(tmp_path / "none.ttc"))
    with (
        translation.override("zh-hans"),
        pytest.raises(pdf.FontMissingError, match=r"中文字体文件.*不存在"),
    ):
        pdf.pledges_pdf([{"variant": "county", "name": "张三", "unit": "甲校", "day": None}])
    monkeypatch.delenv("MINECHECK_CJK_FONT")
    monkeypatch.setattr(pdf, "FONT_PATHS", (str(tmp_path / "none.ttc"),))
    with (
        translation.override("zh-hans"),
        pytest.raises(pdf.FontMissingError, match="fonts-wqy-microhei"),
    ):
        pdf.cjk_font_path()


def test_case_cannot_close_until_the_active_miner_signs_again(server, cc):
    """notices' close() refuses while case_blockers(case) names someone; the case page says who."""
    if server.alias != "default":
        pytest.skip("the case services run on the default database")
    from collector_server.notices.models import Case, Notice
    from tests.collector.web.test_dashboard_seed import make_device

    now = timezone.now()
    miner = make_device(
        server.alias, cc.county.school_a, "CLOSE-MINER", last_verdict="mining", last_mode="active"
    )
    sun = person(server.alias, cc.county.school_a, "孙同学", "other", [miner])
    notice = Notice.objects.create(
        organisation=cc.county.bureau, source="police", number="公网安〔2026〕77号", received_at=now
    )
    case = Case.objects.create(
        notice=notice,
        organisation=cc.county.school_a,
        received_at=now,
        state="reported",
        located_at=now,
        reported_at=now,
    )
    case.devices.set([miner])
    a = cc.county.sessions["school_a"]
    case_url = server.url(f"/notices/cases/{case.pk}/")
    page = a.get(case_url, timeout=30).text
    blockers = page.split('data-testid="case-blockers"', 1)[1].split("</ul>", 1)[0]
    assert "孙同学" in blockers and "CLOSE-MINER" in blockers
    refused = post(
        a, server.url(f"/notices/cases/{case.pk}/close/"), {"reason": "已处置"}, page=case_url
    )
    assert refused.status_code == 302
    case.refresh_from_db()
    assert case.state == "reported"
    flashed = a.get(case_url, timeout=30).text.split('class="messages"', 1)[1].split("</ul>")[0]
    assert "孙同学" in flashed and "重新签订" in flashed
    assert _upload(a, server, f"person={sun.pk}", "s.png", PNG).status_code == 302
    page = a.get(case_url, timeout=30).text
    assert 'data-testid="case-blockers"' not in page
    closed = post(
        a, server.url(f"/notices/cases/{case.pk}/close/"), {"reason": "已处置"}, page=case_url
    )
    assert closed.status_code == 302
    case.refresh_from_db()
    assert case.state == "closed"
