"""A weekly review as XLSX and PDF, both written from its frozen snapshot only."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from collector_server.ledger.excel import neutralise_cell

from .models import WeeklyReview
from .review import METRICS, TREND_KEYS, metric_rows

RANK_KEYS = (
    "coverage_pct",
    "pledge_pct",
    "active_mining",
    "passive_mining",
    "cases_overdue",
    "silent_devices",
)


def _rank_headers() -> list[str]:
    labels = dict(METRICS)
    return (
        [_("Rank"), _("Organisation")]
        + [str(labels[k]) for k in RANK_KEYS]
        + [_("Criticise in the circular")]
    )


def _rank_rows(snapshot: dict) -> list[list]:
    yes, no = _("Yes"), _("No")
    return [
        [r["rank"], r["name"], *[r[k] for k in RANK_KEYS], yes if r["weak"] else no]
        for r in snapshot.get("schools", [])
    ]


def _texts(review: WeeklyReview) -> list[tuple[str, str]]:
    return [
        (_("Experience"), review.experience),
        (_("Problems"), review.problems),
        (_("Adjustments to the measures"), review.adjustments),
    ]


def review_xlsx(review: WeeklyReview) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    snap = review.snapshot
    wb = Workbook()
    ws = wb.active
    ws.title = _("Weekly review")[:31]
    ws.append([_("Weekly review"), snap.get("organisation", ""), snap.get("week", "")])
    ws["A1"].font = Font(bold=True)
    for label, value in metric_rows(snap):
        ws.append([label, value])
    ws.append([])
    for label, text in _texts(review):
        ws.append([label, neutralise_cell(text)])
    ws.append([_("Locked"), review.locked_at.isoformat() if review.locked_at else ""])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 60
    trend = wb.create_sheet(_("Trend")[:31])
    labels = dict(METRICS)
    trend.append([_("Week")] + [str(labels[k]) for k in TREND_KEYS])
    for row in snap.get("trend", []):
        trend.append([row["week"]] + [row.get(k) for k in TREND_KEYS])
    if snap.get("schools"):
        rank = wb.create_sheet(_("Ranking")[:31])
        rank.append(_rank_headers())
        for row in _rank_rows(snap):
            rank.append([neutralise_cell(v) for v in row])
        rank.column_dimensions["B"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def review_pdf(review: WeeklyReview) -> bytes:
    from .pdf import FAMILY, new_document, table

    snap = review.snapshot
    pdf = new_document()
    pdf.add_page()
    pdf.set_font(FAMILY, size=16)
    pdf.multi_cell(
        0,
        10,
        _("Weekly review %(week)s: %(org)s")
        % {"week": snap.get("week", ""), "org": snap.get("organisation", "")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FAMILY, size=10)
    pdf.multi_cell(
        0,
        7,
        _("Figures as of %(at)s; frozen when the review was generated.")
        % {"at": snap.get("as_of", "")[:16].replace("T", " ")},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    table(pdf, [_("Figure"), _("Value")], metric_rows(snap), [110, 56])
    pdf.ln(4)
    labels = dict(METRICS)
    table(
        pdf,
        [_("Week")] + [str(labels[k])[:14] for k in TREND_KEYS],
        [[r["week"]] + [r.get(k) for k in TREND_KEYS] for r in snap.get("trend", [])],
        [30, 34, 34, 34, 34],
    )
    for label, text in _texts(review):
        pdf.ln(3)
        pdf.set_font(FAMILY, size=12)
        pdf.multi_cell(0, 8, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, size=10.5)
        pdf.multi_cell(0, 7, text or "—", new_x="LMARGIN", new_y="NEXT")
    if snap.get("schools"):
        pdf.add_page(orientation="L")
        pdf.set_font(FAMILY, size=14)
        pdf.multi_cell(0, 10, _("Ranking of schools"), new_x="LMARGIN", new_y="NEXT")
        table(
            pdf,
            [h[:12] for h in _rank_headers()],
            _rank_rows(snap),
            [14, 56, 26, 26, 26, 26, 26, 26, 26],
        )
    return bytes(pdf.output())
