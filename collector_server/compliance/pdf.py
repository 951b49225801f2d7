"""PDF output with fpdf2 and an embedded Chinese font (Debian's fonts-wqy-microhei).

The font file is ``MINECHECK_CJK_FONT`` when set, else the first of FONT_PATHS that exists.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from django.utils.translation import gettext as _

from .pledge_texts import pledge_text

FONT_PATHS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
FAMILY = "cjk"


class FontMissingError(RuntimeError):
    """No Chinese font: a PDF with Chinese text cannot be made."""


def cjk_font_path() -> Path:
    """The font file to embed, or FontMissingError with a message saying how to fix it."""
    configured = os.environ.get("MINECHECK_CJK_FONT", "").strip()
    if configured:
        path = Path(configured)
        if path.is_file():
            return path
        raise FontMissingError(
            _("The Chinese font set in MINECHECK_CJK_FONT (%(path)s) does not exist.")
            % {"path": configured}
        )
    for candidate in FONT_PATHS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissingError(
        _(
            "No Chinese font was found, so the PDF cannot be made. Install the Debian package "
            "fonts-wqy-microhei or set MINECHECK_CJK_FONT to a .ttf/.ttc font file."
        )
    )


def new_document():
    """An A4 fpdf2 document with the Chinese font selected."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(22, 20, 22)
    pdf.add_font(FAMILY, "", str(cjk_font_path()))
    pdf.set_font(FAMILY, size=12)
    return pdf


def chinese_date(day: date) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日"


def add_pledge_page(pdf, *, variant: str, name: str, unit: str, day: date | None) -> None:
    """One pledge ready to sign: the seed text with name, unit and date filled in."""
    text = pledge_text(variant)
    pdf.add_page()
    pdf.set_font(FAMILY, size=18)
    pdf.multi_cell(0, 12, text.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, size=12.5)
    pdf.multi_cell(0, 8, "　　" + text.preamble, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    who = name if name == unit else f"{unit} {name}"
    pdf.multi_cell(0, 8, "　　" + text.subject_line.format(name=who), new_x="LMARGIN", new_y="NEXT")
    for item in text.items:
        pdf.multi_cell(0, 8, "　　" + item, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(14)
    for i, line in enumerate(text.signature_lines):
        pdf.set_x(pdf.l_margin + 70)
        pdf.multi_cell(
            0, 10, line.format(name=name) if i == 0 else line, new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_x(pdf.l_margin + 70)
    pdf.multi_cell(0, 10, f"单位：{unit}" if name != unit else "", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 70)
    pdf.multi_cell(
        0, 10, chinese_date(day) if day else "年    月    日", new_x="LMARGIN", new_y="NEXT"
    )


def pledges_pdf(pages: Sequence[dict]) -> bytes:
    """A PDF of pledge pages; each dict has variant, name, unit, day."""
    pdf = new_document()
    for page in pages:
        add_pledge_page(pdf, **page)
    return bytes(pdf.output())


def table(pdf, headers: Sequence[str], rows: Sequence[Sequence], widths: Sequence[float]) -> None:
    """A simple grid of text cells."""
    pdf.set_font(FAMILY, size=9.5)
    pdf.set_fill_color(220, 230, 241)
    for header, width in zip(headers, widths, strict=True):
        pdf.cell(width, 7, str(header), border=1, fill=True)
    pdf.ln()
    for row in rows:
        for value, width in zip(row, widths, strict=True):
            pdf.cell(width, 7, "" if value is None else str(value)[:40], border=1)
        pdf.ln()
