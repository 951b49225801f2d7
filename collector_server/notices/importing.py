"""Import a notice list (XLSX/CSV, Chinese headers as such lists come) with the ledger
import's dry-run-then-apply pattern; the file is read by the ledger import's capped reader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django import forms
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from collector_server.ledger.columns import normalise_header
from collector_server.ledger.excel import ImportFileError, RowError, read_table
from collector_server.notices import services
from collector_server.notices.forms import clean_indicator_value
from collector_server.notices.models import NoticeSource

HEADERS: dict[str, tuple[str, ...]] = {
    "serial": ("序号", "编号no", "no", "#", "serial"),
    "ip": ("ip地址", "ip", "公网ip", "目的ip", "矿池ip", "ip address", "源ip", "外联ip", "地址"),
    "domain": ("域名", "矿池域名", "domain", "恶意域名", "外联域名"),
    "port": ("端口", "端口号", "目的端口", "port"),
    "seen": ("发现时间", "监测时间", "时间", "活跃时间", "observed", "seen", "发现时间段"),
    "seen_to": ("结束时间", "截止时间", "observed to"),
    "unit": ("通报单位", "来源", "通报来源", "source", "报送单位"),
    "number": ("通报编号", "文号", "通报文号", "number", "notice number"),
    "org": ("单位", "涉及单位", "学校", "单位名称", "organisation"),
}
HEADER_KEYS = {normalise_header(h): key for key, names in HEADERS.items() for h in names}
RANGE_SPLIT = re.compile(r"\s*(?:~|～|至|到|—|–|\s-\s)\s*")
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
)
MAX_INDICATORS = 5000


@dataclass
class PlannedNotice:
    number: str
    source: str
    unit: str
    indicators: list[dict] = field(default_factory=list)


@dataclass
class NoticeImportResult:
    dry_run: bool
    rows: int = 0
    notices: list[PlannedNotice] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: list[int] = field(default_factory=list)  # notice ids after a real run
    cases: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def indicator_count(self) -> int:
        return sum(len(n.indicators) for n in self.notices)


def source_of(unit: str, default: str) -> str:
    """The NoticeSource a 通报单位 text names (公安 / 网信 / 监测 / 教育), else ``default``."""
    if not unit:
        return default
    for words, source in (
        (("公安", "网安", "police"), NoticeSource.police),
        (("网信", "cyberspace"), NoticeSource.cyberspace),
        (("监测", "省", "province"), NoticeSource.province),
        (("教育", "education"), NoticeSource.education),
    ):
        if any(w in unit.lower() for w in words):
            return source
    return NoticeSource.other


def parse_time(text: str) -> datetime | None:
    """A date/time as notice lists write it, in the server's time zone; ValueError if bad."""
    text = text.strip()
    if not text:
        return None
    value = parse_datetime(text.replace("T", " ")) if "-" in text else None
    if value is None:
        for fmt in DATE_FORMATS:
            try:
                value = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if value is None:
        raise ValueError(text)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _window(seen: str, seen_to: str) -> tuple[datetime | None, datetime | None]:
    parts = RANGE_SPLIT.split(seen.strip(), maxsplit=1) if seen.strip() else []
    start = parse_time(parts[0]) if parts else None
    end = parse_time(parts[1]) if len(parts) > 1 else parse_time(seen_to)
    return start, end


def _row_indicators(values: dict[str, str]) -> list[dict]:
    """The indicators of one row (an IP cell and a domain cell each give one)."""
    port_text = values.get("port", "").strip()
    port = None
    if port_text:
        if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
            raise ValueError(_("Bad port “%(port)s”.") % {"port": port_text})
        port = int(port_text)
    try:
        start, end = _window(values.get("seen", ""), values.get("seen_to", ""))
    except ValueError as exc:
        raise ValueError(_("Cannot read the time “%(time)s”.") % {"time": exc}) from exc
    out = []
    for key in ("ip", "domain"):
        for cell in re.split(r"[,，;；\s]+", values.get(key, "")):
            if not cell:
                continue
            value, _sep, cell_port = (
                cell.rpartition(":") if cell.count(":") == 1 else (cell, "", "")
            )
            try:
                value = clean_indicator_value(value)
            except forms.ValidationError as exc:
                raise ValueError(" ".join(exc.messages)) from exc
            out.append(
                {
                    "value": value,
                    "port": int(cell_port) if cell_port.isdigit() else port,
                    "observed_from": start,
                    "observed_to": end,
                }
            )
    if not out:
        raise ValueError(_("The row has no IP address or domain."))
    return out


def import_notices(
    path: str | Path,
    organisation,
    *,
    dry_run: bool,
    source: str = "other",
    number: str = "",
    received_at: datetime | None = None,
    user=None,
) -> NoticeImportResult:
    """Read a notice list; group rows by (number, 通报单位) into notices. Any error: nothing
    is created. A real run registers the notices and opens their cases in one transaction."""
    result = NoticeImportResult(dry_run=dry_run)
    try:
        table = read_table(path)
    except ImportFileError as exc:
        result.errors.append(RowError(0, str(exc)))
        return result
    except OSError as exc:
        result.errors.append(RowError(0, _("Cannot open the file: %(error)s") % {"error": exc}))
        return result
    header_index = next((i for i, r in enumerate(table) if any(r)), None)
    if header_index is None:
        result.errors.append(RowError(0, _("The file is empty.")))
        return result
    columns = [HEADER_KEYS.get(normalise_header(h)) if h else None for h in table[header_index]]
    if not {"ip", "domain"} & set(columns):
        result.errors.append(
            RowError(header_index + 1, _("The file needs an IP地址 or 域名 column."))
        )
        return result
    if "number" not in columns and not number.strip():
        result.errors.append(
            RowError(
                header_index + 1, _("The file has no notice number column: give the notice number.")
            )
        )
        return result
    grouped: dict[tuple[str, str], PlannedNotice] = {}
    for offset, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(raw):
            continue
        result.rows += 1
        values = {key: (raw[i] if i < len(raw) else "") for i, key in enumerate(columns) if key}
        try:
            indicators = _row_indicators(values)
        except ValueError as exc:
            result.errors.append(RowError(offset, str(exc)))
            continue
        unit = values.get("unit", "").strip()
        key = (values.get("number", "").strip() or number.strip(), unit)
        planned = grouped.setdefault(key, PlannedNotice(key[0], source_of(unit, source), unit))
        planned.indicators.extend(indicators)
    result.notices = list(grouped.values())
    if result.indicator_count > MAX_INDICATORS:
        result.errors.append(
            RowError(0, _("More than %(max)d indicators in one file.") % {"max": MAX_INDICATORS})
        )
    if dry_run or result.errors or not result.notices:
        return result
    now = received_at or timezone.now()
    with transaction.atomic():
        for planned in result.notices:
            note = _("Imported from %(file)s") % {"file": Path(path).name}
            if planned.unit:
                note += f" · {planned.unit}"
            notice = services.register_notice(
                organisation,
                source=planned.source,
                number=planned.number,
                received_at=now,
                indicators=planned.indicators,
                user=user,
                note=note,
            )
            result.created.append(notice.pk)
            result.cases += len(services.open_cases(notice, user=user))
    return result
