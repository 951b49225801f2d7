"""The written report (书面报告) of a case as DOCX (python-docx) and PDF (fpdf2, a CJK font
from Debian's fonts-wqy-microhei embedded; no font is fetched at run time)."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from collector_server.notices.models import Case, MiningMode, WrittenReport

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


class FontMissing(RuntimeError):
    """No CJK font for the PDF; the message says what to install."""


def cjk_font() -> Path:
    """The CJK font file: $MINECHECK_CJK_FONT, else Debian's fonts-wqy-microhei."""
    override = os.environ.get("MINECHECK_CJK_FONT", "")
    for candidate in ((override,) if override else ()) + FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        _(
            "No Chinese font for the PDF report: install the Debian package "
            "fonts-wqy-microhei (apt-get install fonts-wqy-microhei) or set "
            "MINECHECK_CJK_FONT to a TrueType font file."
        )
    )


@dataclass
class Section:
    title: str
    lines: list[str]


def _verdict(value: str) -> str:
    from collector_server.ledger.models import Verdict

    return str(Verdict(value).label) if value in Verdict.values else (value or "—")


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _rescan(case: Case, device) -> str:
    if case.located_at is None:
        return _("not yet")
    latest = device.reports.filter(received_at__gt=case.located_at).order_by("-received_at").first()
    if latest is None:
        return _("no rescan yet")
    return _("%(verdict)s at %(time)s") % {
        "verdict": _verdict(latest.verdict),
        "time": _when(latest.received_at),
    }


def sections(case: Case) -> tuple[str, list[Section]]:
    """The report's title and sections, shared by the DOCX and the PDF."""
    written = WrittenReport.objects.filter(case=case).first() or WrittenReport(case=case)
    notice = case.notice
    title = _("Written report on the handling of mining notice %(number)s") % {
        "number": notice.number
    }
    out = [
        Section(
            _("1. Notice"),
            [
                _("Source: %(source)s; number: %(number)s; received: %(received)s")
                % {
                    "source": notice.get_source_display(),
                    "number": notice.number,
                    "received": _when(notice.received_at),
                },
                _("Indicators: %(list)s")
                % {"list": ", ".join(str(i) for i in notice.indicators.all())},
                _(
                    "School: %(org)s; received by the school: %(at)s; located: %(loc)s; report "
                    "submitted: %(rep)s"
                )
                % {
                    "org": case.organisation.name,
                    "at": _when(case.received_at),
                    "loc": _when(case.located_at),
                    "rep": _when(case.reported_at),
                },
            ],
        )
    ]
    devices = []
    for d in case.devices.all():
        devices.append(
            _(
                "Device %(host)s (asset tag %(tag)s): location %(loc)s, department "
                "%(dept)s, ledger responsible person %(person)s; latest verdict "
                "%(verdict)s; rescan: %(rescan)s"
            )
            % {
                "host": d.hostname,
                "tag": d.asset_tag or "—",
                "loc": d.location or "—",
                "dept": d.department or "—",
                "person": d.responsible_person or "—",
                "verdict": _verdict(d.last_verdict),
                "rescan": _rescan(case, d),
            }
        )
    out.append(
        Section(
            _("2. Device(s) and responsible person"),
            [
                *devices,
                _("Responsible person locked for this case: %(person)s")
                % {"person": case.responsible_person or "—"},
            ],
        )
    )
    evidence = [
        f"{m.indicator} · {m.get_kind_display()} · {m.get_strength_display()} · "
        f"{m.device.hostname if m.device else '—'} · {m.evidence}"
        for m in _matches(case)
    ]
    out.append(Section(_("3. Evidence from the agents' reports"), evidence or [_("none")]))
    mode = MiningMode(written.mining_mode).label if written.mining_mode else ""
    out.append(
        Section(
            _("4. Verdict: active or passive mining"),
            [
                _("Verdict: %(mode)s") % {"mode": mode},
                _("Reason: %(reason)s") % {"reason": written.mode_reason or "—"},
            ],
        )
    )
    out.append(Section(_("5. Actions taken"), [written.actions or "—"]))
    out.append(Section(_("6. Accountability"), [written.accountability or "—"]))
    out.append(
        Section(
            _("7. Signatures"),
            [
                _("Leader of the school (signature): ____________    Date: ____________"),
                _("Unit seal:"),
                "",
            ],
        )
    )
    return title, out


def _matches(case: Case):
    from collector_server.notices.models import Match

    return Match.objects.select_related("indicator", "device").filter(
        indicator__notice=case.notice, organisation=case.organisation
    )


def docx_bytes(case: Case) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn

    title, parts = sections(case)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    doc.add_heading(title, level=1)
    for section in parts:
        doc.add_heading(section.title, level=2)
        for line in section.lines:
            doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_bytes(case: Case) -> bytes:
    from fpdf import FPDF

    font = cjk_font()
    title, parts = sections(case)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    options = {"collection_font_number": 0} if font.suffix.lower() == ".ttc" else {}
    pdf.add_font("cjk", "", str(font), **options)
    pdf.set_font("cjk", size=16)
    pdf.multi_cell(0, 10, title, align="C", new_x="LMARGIN", new_y="NEXT")
    for section in parts:
        pdf.ln(3)
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 8, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=11)
        for line in section.lines:
            pdf.multi_cell(0, 7, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
