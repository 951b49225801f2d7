"""Ledger export to XLSX/CSV and import of person-entered fields from XLSX/CSV.

The CLI (`minecheck-server ledger export/import`) and the dashboard both call these two
functions; keep their signatures.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collector_server.accounts.scoping import scope_devices, visible_orgs
from collector_server.ledger.assets import clean_ips, dedupe_os_name, disk_summary, nic_macs
from collector_server.ledger.columns import COLUMNS, EDITABLE_KEYS, Column, column_by_header
from collector_server.ledger.models import (
    Device,
    DeviceStatus,
    EgressLine,
    ManagedRange,
    Organisation,
    Verdict,
)

EXPORT_FIELDS = (
    "organisation__name",
    "asset_tag",
    "hostname",
    "location",
    "department",
    "responsible_person",
    "responsible_phone",
    "ip_addresses",
    "macs",
    "public_ip",
    "status",
    "high_performance",
    "high_performance_reason",
    "cpu_model",
    "gpu_models",
    "memory_mb",
    "os_name",
    "last_seen",
    "last_verdict",
    "last_mode",
    "signature_version",
    "pledge_signed",
    "first_seen",
    "notes",
    "hardware",
    "system_serial",
    "board_serial",
    "system_uuid",
    "pk",
)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()\-]{2,28}(?:(?:转|ext\.?|x|#)\s*[0-9]{1,6})?$", re.I)
MAC_RE = re.compile(r"^[0-9a-f]{2}([:\-]?[0-9a-f]{2}){5}$", re.I)
MAX_LENGTHS = {f: Device._meta.get_field(f).max_length for f in EDITABLE_KEYS}
# OWASP CSV injection: a cell starting with one of these is a formula to Excel/LibreOffice
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_IMPORT_ROWS = 20_000  # a county's ledger is a few thousand devices
MAX_IMPORT_UNCOMPRESSED = 32 * 1024 * 1024  # sum of the xlsx zip members (or CSV bytes)
MAX_IMPORT_COLUMNS = 64  # the ledger has 23 columns; more are ignored


# --- export --------------------------------------------------------------------------------


def neutralise_cell(value):
    """A text cell that a spreadsheet would run as a formula, prefixed with a single quote.

    Numbers stay numbers (a genuine negative number is not text and is left alone).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _fmt_time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _export_rows(devices_qs: QuerySet[Device], lang: str) -> Iterator[list]:
    """One list of cell values per device, in COLUMNS order (strings and numbers only)."""
    yes, no = ("Yes", "No") if lang.startswith("en") else ("是", "否")
    status_labels = dict(DeviceStatus.choices)
    verdict_labels = dict(Verdict.choices)
    mode_labels = {"active": _("Mining (active)"), "passive": _("Mining (passive)")}
    rows = devices_qs.order_by("organisation_id", "hostname", "id").values_list(*EXPORT_FIELDS)
    for r in rows.iterator(chunk_size=2000):
        d = dict(zip(EXPORT_FIELDS, r, strict=True))
        verdict = (
            str(verdict_labels.get(d["last_verdict"], d["last_verdict"]))
            if d["last_verdict"]
            else ""
        )
        if d["last_verdict"] == "mining" and d["last_mode"] in mode_labels:
            verdict = mode_labels[d["last_mode"]]
        yield [
            neutralise_cell(v)
            for v in (
                d["organisation__name"],
                d["asset_tag"],
                d["hostname"],
                d["location"],
                d["department"],
                d["responsible_person"],
                d["responsible_phone"],
                ", ".join(clean_ips(d["ip_addresses"])),
                ", ".join(d["macs"] or nic_macs(d["hardware"] or {})),
                d["public_ip"] or "",
                str(status_labels.get(d["status"], d["status"])),
                yes if d["high_performance"] else no,
                d["high_performance_reason"],
                d["cpu_model"],
                d["gpu_models"],
                round(d["memory_mb"] / 1024, 1) if d["memory_mb"] else "",
                dedupe_os_name(d["os_name"]),
                disk_summary(d["hardware"] or {}),
                d["system_serial"] or d["board_serial"],
                d["system_uuid"],
                d["pk"],
                _fmt_time(d["last_seen"]),
                verdict,
                d["signature_version"],
                yes if d["pledge_signed"] else no,
                _fmt_time(d["first_seen"]),
                d["notes"],
            )
        ]


NETWORK_HEADERS = {
    "zh": ["单位/组织", "类别", "运营商", "地址/地址段", "带宽(Mbit/s)", "备注"],
    "en": ["Organisation", "Kind", "ISP", "Address / range", "Bandwidth (Mbit/s)", "Note"],
}


def _network_rows(orgs_qs, lang: str) -> Iterator[list]:
    """Egress lines (one row per address) and managed IP ranges of ``orgs_qs``."""
    en = lang.startswith("en")
    line_kind, range_kind = ("Egress line", "IP range") if en else ("出口线路", "IP地址段")
    org_ids = list(orgs_qs.values_list("pk", flat=True))
    lines = (
        EgressLine.objects.filter(organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("organisation__path", "isp", "pk")
    )
    for line in lines:
        for address in line.address_list() or [""]:
            yield [
                neutralise_cell(v)
                for v in (
                    line.organisation.name,
                    line_kind,
                    line.isp,
                    address,
                    line.bandwidth_mbps if line.bandwidth_mbps is not None else "",
                    line.note,
                )
            ]
    ranges = (
        ManagedRange.objects.filter(organisation_id__in=org_ids)
        .select_related("organisation")
        .order_by("organisation__path", "cidr", "pk")
    )
    for rng in ranges:
        yield [
            neutralise_cell(v)
            for v in (rng.organisation.name, range_kind, "", rng.cidr, "", rng.note)
        ]


def export_networks(orgs_qs, stream: BinaryIO) -> int:
    """Egress lines and IP ranges of ``orgs_qs`` as CSV (UTF-8 with BOM); returns the rows.

    The XLSX ledger carries them as its second sheet; CSV has one table per file, so the
    dashboard offers them as a separate download (/ledger/networks.csv).
    """
    lang = translation.get_language() or "zh-hans"
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    count = 0
    try:
        writer = csv.writer(text)
        writer.writerow(NETWORK_HEADERS["en" if lang.startswith("en") else "zh"])
        for row in _network_rows(orgs_qs, lang):
            writer.writerow(row)
            count += 1
        text.flush()
    finally:
        text.detach()
    return count


def _write_csv(text, headers: list[str], devices_qs: QuerySet[Device], lang: str) -> int:
    writer = csv.writer(text)
    writer.writerow(headers)
    count = 0
    for row in _export_rows(devices_qs, lang):
        writer.writerow(row)
        count += 1
    return count


def export_ledger(devices_qs: QuerySet[Device], fmt: str, stream: BinaryIO, networks=None) -> int:
    """Write ``devices_qs`` as a ledger spreadsheet ("xlsx" or "csv") to ``stream``.

    ``networks``, a queryset of organisations: their egress lines and IP ranges go to a
    second XLSX sheet (ignored for CSV, see ``export_networks``). Without it, the
    organisations of the exported devices.

    Headers follow the active language (Chinese unless English is active). CSV is UTF-8 with
    a BOM so Excel opens it correctly; ``stream`` is binary, or for CSV also a text file
    (opened with newline=""). Returns the number of device rows written.
    """
    lang = translation.get_language() or "zh-hans"
    headers = [c.header(lang) for c in COLUMNS]
    count = 0
    if fmt == "csv":
        if isinstance(stream, io.TextIOBase):  # a text file the caller opened
            if "sig" not in (getattr(stream, "encoding", "") or "").lower():
                stream.write("\ufeff")
            return _write_csv(stream, headers, devices_qs, lang)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        try:
            count = _write_csv(text, headers, devices_qs, lang)
            text.flush()
        finally:
            text.detach()
        return count
    if fmt != "xlsx":
        raise ValueError(f"unknown export format {fmt!r}: use xlsx or csv")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title="信息资产台账" if not lang.startswith("en") else "Asset ledger")
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = "A2"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    header_cells = []
    for text_value in headers:
        cell = WriteOnlyCell(ws, value=text_value)
        cell.font, cell.fill = bold, fill
        header_cells.append(cell)
    ws.append(header_cells)
    for row in _export_rows(devices_qs, lang):
        ws.append(row)
        count += 1
    if networks is None:
        networks = Organisation.objects.filter(
            pk__in=devices_qs.order_by().values("organisation_id")
        )
    net = wb.create_sheet(
        title="出口线路与IP地址段" if not lang.startswith("en") else "Egress lines and IP ranges"
    )
    for i, width in enumerate((22, 10, 14, 24, 12, 24), start=1):
        net.column_dimensions[get_column_letter(i)].width = width
    net_header = []
    for text_value in NETWORK_HEADERS["en" if lang.startswith("en") else "zh"]:
        cell = WriteOnlyCell(net, value=text_value)
        cell.font, cell.fill = bold, fill
        net_header.append(cell)
    net.append(net_header)
    for row in _network_rows(networks, lang):
        net.append(row)
    wb.save(stream)
    return count


# --- import --------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    message: str


@dataclass
class RowChange:
    row: int
    device_id: int
    hostname: str
    organisation: str
    changes: dict[str, tuple[str, str]]  # field -> (old, new)


@dataclass
class RowNew:
    """A row that names no known device but an organisation: a device without the agent."""

    row: int
    hostname: str
    organisation_id: int
    organisation: str
    values: dict[str, str]  # editable fields, plus macs / ip_addresses as given


@dataclass
class ImportResult:
    """What an import found; ``applied`` is True only after a real run that changed rows."""

    dry_run: bool
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    new_devices: list[RowNew] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing header)."""


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # phone numbers and asset tags typed as numbers
    return str(value).strip()


def _too_big() -> ImportFileError:
    return ImportFileError(
        _(
            "The file is too large to import: at most %(rows)d rows and %(mb)d MB of "
            "uncompressed data. Split it into smaller files."
        )
        % {"rows": MAX_IMPORT_ROWS, "mb": MAX_IMPORT_UNCOMPRESSED // (1024 * 1024)}
    )


def _check_xlsx_size(path: Path) -> None:
    """Refuse an xlsx whose zip members expand beyond the cap, before openpyxl parses it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(max(info.file_size, 0) for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(_("Cannot read the Excel file: %(error)s") % {"error": exc}) from exc
    if total > MAX_IMPORT_UNCOMPRESSED:
        raise _too_big()


def _capped_rows(rows: Iterator[list[str]]) -> list[list[str]]:
    """The rows, or ImportFileError once there are more than MAX_IMPORT_ROWS."""
    table: list[list[str]] = []
    for row in rows:
        if len(table) > MAX_IMPORT_ROWS:  # the header row plus MAX_IMPORT_ROWS rows
            raise _too_big()
        table.append(row)
    return table


def read_table(path: str | Path) -> list[list[str]]:
    """All rows of the first sheet (XLSX) or of the CSV (UTF-8 with/without BOM, or GB18030)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        _check_xlsx_size(path)
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds
            raise ImportFileError(
                _("Cannot read the Excel file: %(error)s") % {"error": exc}
            ) from exc
        try:
            ws = wb.worksheets[0]
            return _capped_rows(
                [_cell_text(v) for v in row]
                for row in ws.iter_rows(values_only=True, max_col=MAX_IMPORT_COLUMNS)
            )
        except ImportFileError:
            raise
        except Exception as exc:  # a corrupt sheet fails while streaming
            raise ImportFileError(
                _("Cannot read the Excel file: %(error)s") % {"error": exc}
            ) from exc
        finally:
            wb.close()
    if suffix in {".csv", ".txt"}:
        if path.stat().st_size > MAX_IMPORT_UNCOMPRESSED:
            raise _too_big()
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes almost anything
            raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 text."))
        try:
            return _capped_rows([c.strip() for c in row] for row in csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise ImportFileError(
                _("Cannot read the CSV file: %(error)s") % {"error": exc}
            ) from exc
    raise ImportFileError(
        _("Unsupported file type %(suffix)s: use .xlsx or .csv") % {"suffix": suffix or "?"}
    )


def _normalise_mac(text: str) -> str:
    hexes = re.sub(r"[^0-9a-f]", "", text.lower())
    return ":".join(hexes[i : i + 2] for i in range(0, 12, 2))


def _match(scope: QuerySet[Device], values: dict[str, str]) -> tuple[Device | None, str, bool]:
    """The one device a row means, or None, the reason and whether no device matched."""
    candidates: dict[str, set[int]] = {}
    tag = values.get("asset_tag", "")
    if tag:
        ids = set(scope.filter(asset_tag=tag).values_list("pk", flat=True)[:5])
        if ids:
            candidates["asset_tag"] = ids
    host = values.get("hostname", "")
    if host:
        qs = scope.filter(hostname__iexact=host)
        org_name = values.get("organisation", "")
        ids = set(qs.values_list("pk", flat=True)[:50])
        if len(ids) > 1 and org_name:
            ids = set(qs.filter(organisation__name=org_name).values_list("pk", flat=True)[:50])
        candidates["hostname"] = ids
    macs = [m for m in re.split(r"[,;\s]+", values.get("macs", "")) if m]
    if macs:
        ids: set[int] = set()
        for mac in macs:
            norm = _normalise_mac(mac)
            ids |= set(scope.filter(mac_key__contains=norm).values_list("pk", flat=True)[:5])
        candidates["macs"] = ids
    if not candidates:
        return None, _("No device matches: give a hostname, MAC address or asset tag."), True
    # identifiers that found exactly one device must agree; then narrow the others
    chosen: set[int] | None = None
    for ids in candidates.values():
        if not ids:
            continue
        chosen = ids if chosen is None else (chosen & ids if chosen & ids else chosen | ids)
    if not chosen:
        return None, _("No device in your organisations matches this row."), True
    if len(chosen) > 1:
        return (
            None,
            _("Ambiguous: %(count)d devices match this row; add the MAC address or asset tag.")
            % {"count": len(chosen)},
            False,
        )
    return scope.select_related("organisation").get(pk=next(iter(chosen))), "", False


def import_ledger(path: str | Path, user, dry_run: bool) -> ImportResult:
    """Update person-entered ledger fields from a CSV/XLSX file.

    Rows are matched to devices by asset tag, hostname or MAC within ``user``'s organisations
    (``user=None``: all devices, for the command line). Empty cells leave a field unchanged.
    A row that matches no device but names one of the user's organisations (单位/组织) and a
    hostname adds a device that does not run the agent (``runs_agent=False``: listed as not
    reporting, never counted as a silent agent).
    Any error (unknown device, ambiguous match, bad phone, unknown column) means nothing is
    changed; a dry run never changes anything. A real run is one transaction.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        table = read_table(path)
    except ImportFileError as exc:
        result.errors.append(RowError(0, str(exc)))
        return result
    except OSError as exc:
        result.errors.append(RowError(0, _("Cannot open the file: %(error)s") % {"error": exc}))
        return result
    # the header is the first non-empty row
    header_index = next((i for i, r in enumerate(table) if any(r)), None)
    if header_index is None:
        result.errors.append(RowError(0, _("The file is empty.")))
        return result
    known = column_by_header()
    columns: list[Column | None] = []
    for name in table[header_index]:
        if not name:
            columns.append(None)
            continue
        col = known.get("".join(name.split()).lower().replace("（", "(").replace("）", ")"))
        if col is None:
            result.errors.append(
                RowError(header_index + 1, _("Unknown column “%(name)s”.") % {"name": name})
            )
        columns.append(col)
    present = {c.key for c in columns if c}
    if not present & {"hostname", "macs", "asset_tag"}:
        result.errors.append(
            RowError(
                header_index + 1,
                _(
                    "The file needs a column to find devices by: hostname, MAC address or "
                    "asset tag."
                ),
            )
        )
    if not present & set(EDITABLE_KEYS) and not {"organisation", "hostname"} <= present:
        result.errors.append(
            RowError(
                header_index + 1,
                _(
                    "The file has no column that can be imported (location, department, "
                    "responsible person, phone, asset tag)."
                ),
            )
        )
    if result.errors:
        return result

    scope = Device.objects.all() if user is None else scope_devices(Device.objects.all(), user)
    orgs = Organisation.objects.all() if user is None else visible_orgs(user)
    new_hosts: dict[tuple[int, str], int] = {}
    seen_devices: dict[int, int] = {}
    for offset, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(raw):
            continue
        result.rows += 1
        values = {c.key: (raw[i] if i < len(raw) else "") for i, c in enumerate(columns) if c}
        device, reason, unmatched = _match(scope, values)
        if device is None and unmatched and values.get("organisation") and values.get("hostname"):
            new, error = _new_device(orgs, values, offset, new_hosts)
            if new is not None:
                result.new_devices.append(new)
            else:
                result.errors.append(RowError(offset, error))
            continue
        if device is None:
            result.errors.append(RowError(offset, reason))
            continue
        if device.pk in seen_devices:
            result.errors.append(
                RowError(
                    offset,
                    _("Device %(host)s was already matched by row %(row)d.")
                    % {"host": device.hostname, "row": seen_devices[device.pk]},
                )
            )
            continue
        seen_devices[device.pk] = offset
        changes: dict[str, tuple[str, str]] = {}
        row_ok = True
        for key in EDITABLE_KEYS:
            new = values.get(key, "")
            if not new:
                continue
            if key == "responsible_phone" and not PHONE_RE.match(new):
                result.errors.append(
                    RowError(offset, _("Bad phone number “%(phone)s”.") % {"phone": new})
                )
                row_ok = False
                continue
            if len(new) > (MAX_LENGTHS[key] or 10**6):
                result.errors.append(
                    RowError(
                        offset,
                        _("%(column)s is longer than %(max)d characters.")
                        % {"column": key, "max": MAX_LENGTHS[key]},
                    )
                )
                row_ok = False
                continue
            old = getattr(device, key) or ""
            if new != old:
                changes[key] = (old, new)
        if not row_ok:
            continue
        if changes:
            result.changes.append(
                RowChange(offset, device.pk, device.hostname, device.organisation.name, changes)
            )
        else:
            result.unchanged += 1
    if dry_run or result.errors or not (result.changes or result.new_devices):
        return result
    with transaction.atomic():
        for change in result.changes:
            Device.objects.filter(pk=change.device_id).update(
                **{key: new for key, (_old, new) in change.changes.items()}
            )
        for new in result.new_devices:
            values = dict(new.values)
            macs = values.pop("macs", [])
            ips = values.pop("ip_addresses", [])
            Device.objects.create(
                fingerprint=f"ledger-{uuid.uuid4().hex}",
                hostname=new.hostname,
                organisation_id=new.organisation_id,
                runs_agent=False,
                macs=macs,
                mac_key=",".join(macs)[:1024],
                ip_addresses=ips,
                network_text=" ".join(ips + macs)[:2048],
                **values,
            )
    result.applied = True
    return result


def _new_device(
    orgs: QuerySet[Organisation],
    values: dict[str, str],
    row: int,
    new_hosts: dict[tuple[int, str], int],
) -> tuple[RowNew | None, str]:
    """A device without the agent from a row naming an organisation the user may edit."""
    name = values["organisation"]
    found = list(orgs.filter(name=name)[:2])
    if not found:
        return None, _(
            "No device matches this row and “%(org)s” is not one of your "
            "organisations, so it cannot be added."
        ) % {"org": name}
    if len(found) > 1:
        return None, _(
            "Several of your organisations are called “%(org)s”; the device "
            "cannot be added. Rename one of them first."
        ) % {"org": name}
    org, hostname = found[0], values["hostname"]
    if len(hostname) > 255:
        return None, _("The hostname is longer than 255 characters.")
    key = (org.pk, hostname.lower())
    if key in new_hosts:
        return None, _("Row %(row)d already adds %(host)s.") % {
            "row": new_hosts[key],
            "host": hostname,
        }
    fields: dict = {}
    for name_ in EDITABLE_KEYS:
        text = values.get(name_, "")
        if not text:
            continue
        if name_ == "responsible_phone" and not PHONE_RE.match(text):
            return None, _("Bad phone number “%(phone)s”.") % {"phone": text}
        if len(text) > (MAX_LENGTHS[name_] or 10**6):
            return None, _("%(column)s is longer than %(max)d characters.") % {
                "column": name_,
                "max": MAX_LENGTHS[name_],
            }
        fields[name_] = text
    macs = []
    for mac in (m for m in re.split(r"[,;\s]+", values.get("macs", "")) if m):
        if not MAC_RE.match(mac):
            return None, _("Bad MAC address “%(mac)s”.") % {"mac": mac}
        macs.append(_normalise_mac(mac))
    ips = []
    for ip in (i for i in re.split(r"[,;\s]+", values.get("ip_addresses", "")) if i):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            return None, _("Bad IP address “%(ip)s”.") % {"ip": ip}
        ips.append(ip)
    fields["macs"], fields["ip_addresses"] = sorted(set(macs)), ips
    new_hosts[key] = row
    return RowNew(row, hostname, org.pk, org.name, fields), ""
