"""Bulk import of organisations and users from one spreadsheet (dry run, then apply).

One row per organisation, optionally with a user of it. Columns (header row, Chinese or
English names; order free): 单位名称 (required), 上级单位, 类型, 单位代码, 联系人, 联系电话,
用户名, 角色. An organisation that already exists under the given parent is reused, so a
file of users names existing schools. The parent is an organisation the importing
administrator may see, or one created by an earlier row; empty: the administrator's own.
Read with the ledger import's reader (ledger.excel.read_table: caps, CSV/XLSX).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from collector_server.accounts.models import Role
from collector_server.accounts.scoping import user_profile, visible_orgs
from collector_server.accounts.services import create_user
from collector_server.ledger.excel import (
    FORMULA_PREFIXES,
    PHONE_RE,
    ImportFileError,
    RowError,
    read_table,
)
from collector_server.ledger.models import Organisation, OrgKind

COLUMNS = {
    "name": ("单位名称", "单位", "organisation", "organization", "name"),
    "parent": ("上级单位", "上级", "parent"),
    "kind": ("类型", "单位类型", "kind", "type"),
    "code": ("单位代码", "代码", "code"),
    "contact_person": ("联系人", "contact person", "contact"),
    "contact_phone": ("联系电话", "电话", "contact phone", "phone"),
    "username": ("用户名", "账号", "user name", "username"),
    "role": ("角色", "role"),
}
LIMITS = {"name": 200, "code": 64, "contact_person": 100, "contact_phone": 50, "username": 150}


def _choice_lookup(choices) -> dict[str, str]:
    """value -> value, and the zh / en labels -> value (lower-case)."""
    from django.utils import translation

    table: dict[str, str] = {}
    for value, label in choices:
        table[value.lower()] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                table[str(label).strip().lower()] = value
    return table


@dataclass
class PlannedRow:
    row: int
    organisation: str
    parent: str
    kind: str
    new_org: bool
    username: str = ""
    role: str = ""
    password: str = ""  # filled in when applied; shown once

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""


@dataclass
class AccountsImportResult:
    dry_run: bool
    rows: int = 0
    planned: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_orgs(self) -> int:
        return sum(1 for p in self.planned if p.new_org)

    @property
    def new_users(self) -> int:
        return sum(1 for p in self.planned if p.username)

    @property
    def has_changes(self) -> bool:
        return bool(self.new_orgs or self.new_users)


def _header_map(header: list[str]) -> dict[str, int]:
    names = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = names.get(cell.strip().lower())
        if key and key not in found:
            found[key] = index
    if "name" not in found:
        raise ImportFileError(_("The header row needs a column 单位名称 (organisation name)."))
    return found


class _Plan:
    """Resolves parents among the visible organisations and those the file creates."""

    def __init__(self, user) -> None:
        self.scope = list(visible_orgs(user).only("pk", "name", "code", "path", "parent_id"))
        profile = user_profile(user)
        self.home = profile.organisation if profile else None
        self.created: dict[str, tuple[str, str]] = {}  # name.lower() -> (name, parent label)

    def parent(self, text: str):
        """An Organisation, a name created earlier in the file (str), or an error text."""
        if not text:
            if self.home is None:
                return _("Give the parent organisation (上级单位).")
            return self.home
        matches = [o for o in self.scope if text in (o.name, o.code)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            return _("Parent %(name)s is ambiguous: give its code instead.") % {"name": text}
        if text.lower() in self.created:
            return self.created[text.lower()][0]
        return _("Parent %(name)s is not an organisation you administer.") % {"name": text}


def import_accounts(path: str | Path, user, dry_run: bool) -> AccountsImportResult:
    """Check every row; unless ``dry_run`` and only without errors, create it all at once."""
    result = AccountsImportResult(dry_run=dry_run)
    try:
        table = read_table(path)
    except ImportFileError as exc:
        result.errors.append(RowError(0, str(exc)))
        return result
    if not table:
        result.errors.append(RowError(0, _("The file is empty.")))
        return result
    try:
        columns = _header_map(table[0])
    except ImportFileError as exc:
        result.errors.append(RowError(1, str(exc)))
        return result
    kinds = _choice_lookup(OrgKind.choices)
    roles = _choice_lookup(Role.choices)
    plan = _Plan(user)
    usernames: set[str] = set()
    rows: list[tuple[PlannedRow, dict, Organisation | None, object]] = []
    for number, raw in enumerate(table[1:], start=2):
        values = {key: (raw[i] if i < len(raw) else "") for key, i in columns.items()}
        if not any(values.values()):
            continue
        result.rows += 1
        problems = []
        for key, text in values.items():
            phone_like = key == "contact_phone" and PHONE_RE.match(text)
            if text.startswith(FORMULA_PREFIXES) and not phone_like:  # "+86 …" is a phone
                problems.append(_("%(value)s looks like a spreadsheet formula.") % {"value": text})
            if key in LIMITS and len(text) > LIMITS[key]:
                problems.append(_("%(value)s is too long.") % {"value": text[:40]})
        name = values["name"]
        if not name:
            problems.append(_("The organisation name (单位名称) is empty."))
        kind = kinds.get(values.get("kind", "").lower() or "school")
        if kind is None:
            problems.append(_("Unknown organisation kind %(kind)s.") % {"kind": values["kind"]})
        phone = values.get("contact_phone", "")
        if phone and not PHONE_RE.match(phone):
            problems.append(_("Phone number %(phone)s is not valid.") % {"phone": phone})
        parent = plan.parent(values.get("parent", ""))
        if isinstance(parent, str) and parent.lower() not in plan.created:
            problems.append(parent)
            parent = None
        username = values.get("username", "")
        role = ""
        if username:
            role = roles.get(values.get("role", "").lower() or Role.school_staff, "")
            if not role:
                problems.append(_("Unknown role %(role)s.") % {"role": values["role"]})
            if (
                username.lower() in usernames
                or User.objects.filter(username__iexact=username).exists()
            ):
                problems.append(_("User name %(name)s is taken.") % {"name": username})
            usernames.add(username.lower())
        elif values.get("role"):
            problems.append(_("A role without a user name (用户名)."))
        if problems:
            result.errors.append(RowError(number, " ".join(problems)))
            continue
        existing = None
        if isinstance(parent, Organisation):
            existing = Organisation.objects.filter(parent=parent, name=name).first()
        parent_label = parent.name if isinstance(parent, Organisation) else str(parent)
        planned = PlannedRow(
            number, name, parent_label, kind, new_org=existing is None, username=username, role=role
        )
        if existing is None:
            if name.lower() in plan.created:
                planned.new_org = False  # a second row naming an organisation made above
            else:
                plan.created[name.lower()] = (name, parent_label)
        rows.append((planned, values, existing, parent))
        result.planned.append(planned)
    if dry_run or result.errors:
        return result
    with transaction.atomic():
        made: dict[str, Organisation] = {}
        for planned, values, existing, parent in rows:
            org = existing or made.get(planned.organisation.lower())
            if org is None:
                above = parent if isinstance(parent, Organisation) else made[parent.lower()]
                org = Organisation.objects.create(
                    name=planned.organisation,
                    kind=planned.kind,
                    parent=above,
                    code=values.get("code", ""),
                    contact_person=values.get("contact_person", ""),
                    contact_phone=values.get("contact_phone", ""),
                )
                made[org.name.lower()] = org
            if planned.username:
                planned.password = create_user(planned.username, planned.role, org)
    result.applied = True
    return result
