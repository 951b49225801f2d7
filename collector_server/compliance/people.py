"""The people register: XLSX export, and XLSX/CSV import with a dry run first.

The import re-uses the ledger import's reader (caps, encodings), its cell neutralising and
its phone check; rows are matched to a person by organisation and name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from collector_server.ledger.excel import (
    PHONE_RE,
    ImportFileError,
    RowError,
    neutralise_cell,
    read_table,
)

from .models import Person, PersonRole

COLUMNS = (  # key, zh, en
    ("organisation", "单位", "Organisation"),
    ("name", "姓名", "Name"),
    ("role", "人员类别", "Role"),
    ("phone", "联系电话", "Phone"),
    ("devices", "负责设备", "Devices responsible for"),
    ("pledge", "承诺书", "Pledge signed"),
)
ROLE_WORDS = {
    PersonRole.staff: ("工作人员", "staff", "staff member"),
    PersonRole.operator: (
        "信息资产运维人员",
        "运维人员",
        "operator",
        "asset operator",
        "information-asset operator",
    ),
    PersonRole.other: ("其他人员", "其他", "other"),
}


def _norm(text: str) -> str:
    return "".join(str(text).split()).lower()


HEADERS = {_norm(name): key for key, zh, en in COLUMNS for name in (key, zh, en)}
HEADERS.update(
    {
        _norm("学校"): "organisation",
        _norm("电话"): "phone",
        _norm("手机"): "phone",
        _norm("类别"): "role",
        _norm("设备"): "devices",
    }
)
ROLE_BY_WORD = {_norm(w): role for role, words in ROLE_WORDS.items() for w in words}


def export_people(people: QuerySet[Person], stream: BinaryIO) -> int:
    """Write the register as XLSX (headers in the active language); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    english = (translation.get_language() or "zh-hans").startswith("en")
    wb = Workbook()
    ws = wb.active
    ws.title = "People" if english else "人员名册"
    ws.append([en if english else zh for _key, zh, en in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    yes, no = ("Yes", "No") if english else ("已签订", "未签订")
    labels = {
        PersonRole.staff: "工作人员",
        PersonRole.operator: "信息资产运维人员",
        PersonRole.other: "其他人员",
    }
    count = 0
    for person in people.select_related("organisation").prefetch_related("devices", "pledges"):
        role = person.get_role_display() if english else labels[person.role]
        devices = ", ".join(d.asset_tag or d.hostname for d in person.devices.all())
        ws.append(
            [
                neutralise_cell(v)
                for v in (
                    person.organisation.name,
                    person.name,
                    str(role),
                    person.phone,
                    devices,
                    yes if person.pledges.all() else no,
                )
            ]
        )
        count += 1
    for letter, width in zip("ABCDEF", (24, 12, 18, 16, 30, 10), strict=True):
        ws.column_dimensions[letter].width = width
    wb.save(stream)
    return count


@dataclass
class PersonChange:
    row: int
    organisation_id: int
    organisation: str
    name: str
    person_id: int | None  # None: a new person
    role: str
    phone: str
    device_ids: list[int] | None  # None: leave the devices as they are
    device_names: str


@dataclass
class PeopleImportResult:
    dry_run: bool
    rows: int = 0
    changes: list[PersonChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(1 for c in self.changes if c.person_id is None)


def _devices(org, text: str) -> tuple[list[int], list[str]]:
    """Devices of ``org`` named by hostname or asset tag; and the names not found."""
    ids, missing = [], []
    for token in (t for t in re.split(r"[,，、;；\s]+", text) if t):
        match = list(org.devices.filter(asset_tag=token).values_list("pk", flat=True)[:2]) or list(
            org.devices.filter(hostname__iexact=token).values_list("pk", flat=True)[:2]
        )
        if len(match) == 1:
            ids.append(match[0])
        else:
            missing.append(token)
    return ids, missing


def import_people(path: str | Path, user, dry_run: bool) -> PeopleImportResult:
    """Add or update people from a spreadsheet; any error means nothing changes."""
    from .access import units

    result = PeopleImportResult(dry_run=dry_run)
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
    keys: list[str | None] = []
    for name in table[header_index]:
        key = HEADERS.get(_norm(name)) if name else None
        if name and key is None:
            result.errors.append(
                RowError(header_index + 1, _("Unknown column “%(name)s”.") % {"name": name})
            )
        keys.append(key)
    if not {"organisation", "name"} <= set(keys):
        result.errors.append(
            RowError(
                header_index + 1,
                _("The file needs the columns “单位” (organisation) and “姓名” (name)."),
            )
        )
    if result.errors:
        return result
    orgs = {o.name: o for o in units(user)}
    seen: dict[tuple[int, str], int] = {}
    for offset, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(raw):
            continue
        result.rows += 1
        values = {k: (raw[i] if i < len(raw) else "") for i, k in enumerate(keys) if k}
        org = orgs.get(values["organisation"])
        name = values["name"]
        if org is None:
            result.errors.append(
                RowError(
                    offset,
                    _("Organisation “%(name)s” is not a school or café you manage.")
                    % {"name": values["organisation"]},
                )
            )
            continue
        if not name or len(name) > 100:
            result.errors.append(RowError(offset, _("The name is empty or too long.")))
            continue
        if (org.pk, name) in seen:
            result.errors.append(
                RowError(
                    offset,
                    _("%(name)s is already in row %(row)d.")
                    % {"name": name, "row": seen[(org.pk, name)]},
                )
            )
            continue
        seen[(org.pk, name)] = offset
        role_text = values.get("role", "")
        role = ROLE_BY_WORD.get(_norm(role_text)) if role_text else PersonRole.staff
        if role is None:
            result.errors.append(
                RowError(
                    offset,
                    _("Unknown role “%(role)s”: use 工作人员, 信息资产运维人员 or 其他人员.")
                    % {"role": role_text},
                )
            )
            continue
        phone = values.get("phone", "")
        if phone and not PHONE_RE.match(phone):
            result.errors.append(
                RowError(offset, _("Bad phone number “%(phone)s”.") % {"phone": phone})
            )
            continue
        device_ids = None
        if values.get("devices"):
            device_ids, missing = _devices(org, values["devices"])
            if missing:
                result.errors.append(
                    RowError(
                        offset,
                        _("No device of %(org)s is called %(names)s.")
                        % {"org": org.name, "names": "、".join(missing)},
                    )
                )
                continue
        existing = Person.objects.filter(organisation=org, name=name).order_by("id").first()
        result.changes.append(
            PersonChange(
                offset,
                org.pk,
                org.name,
                name,
                existing.pk if existing else None,
                role,
                phone or (existing.phone if existing else ""),
                device_ids,
                values.get("devices", ""),
            )
        )
    if dry_run or result.errors or not result.changes:
        return result
    with transaction.atomic():
        for change in result.changes:
            person = (
                Person.objects.get(pk=change.person_id)
                if change.person_id
                else Person(organisation_id=change.organisation_id, name=change.name)
            )
            person.role, person.phone = change.role, change.phone
            person.save()
            if change.device_ids is not None:
                person.devices.set(change.device_ids)
    result.applied = True
    return result
