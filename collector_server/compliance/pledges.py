"""Signed pledges: storing the scan, completion per school and county, who must sign again."""

from __future__ import annotations

import hashlib
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from collector_server.ledger.models import Organisation

from .models import Person, Pledge, PledgeSettings, PledgeVariant

DEFAULT_MAX_SCAN_BYTES = 10 * 1024 * 1024
MAGIC = (  # (prefix, type, extension)
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def max_scan_bytes() -> int:
    """Setting MINECHECK_MAX_PLEDGE_SCAN_BYTES (Django setting or environment); 10 MB."""
    value = getattr(settings, "MINECHECK_MAX_PLEDGE_SCAN_BYTES", None) or os.environ.get(
        "MINECHECK_MAX_PLEDGE_SCAN_BYTES"
    )
    return int(value) if value else DEFAULT_MAX_SCAN_BYTES


class ScanError(ValueError):
    """The uploaded scan is refused; the message says why (in the user's language)."""


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the file's first bytes, or None."""
    for prefix, kind, ext in MAGIC:
        if head.startswith(prefix):
            return kind, ext
    return None


def scans_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "pledges"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_scan(
    upload,
    *,
    organisation: Organisation,
    person: Person | None,
    signed_on: date,
    variant: str,
    user=None,
) -> Pledge:
    """Check the upload (type by magic bytes, size), keep it under the data folder, add a row."""
    limit = max_scan_bytes()
    if upload.size is not None and upload.size > limit:
        raise ScanError(
            _(
                "The file is too large (%(size).1f MB): a scan may be at most %(max).1f MB. "
                "Scan at a lower resolution or as a PDF."
            )
            % {"size": upload.size / 1048576, "max": limit / 1048576}
        )
    chunks = upload.chunks()
    first = b""
    for chunk in chunks:
        first = chunk
        break
    found = sniff(first[:16])
    if found is None:
        raise ScanError(
            _(
                "“%(name)s” is not a PDF, JPEG or PNG file. Upload the signed pledge as a scan "
                "(PDF) or a photo (JPEG/PNG)."
            )
            % {"name": upload.name}
        )
    kind, ext = found
    digest, size = hashlib.sha256(), 0
    folder = scans_dir()
    fd, tmp = tempfile.mkstemp(prefix=".part-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in ([first], chunks):
                for piece in chunk:
                    size += len(piece)
                    if size > limit:
                        raise ScanError(
                            _("The file is too large: a scan may be at most %(max).1f MB.")
                            % {"max": limit / 1048576}
                        )
                    digest.update(piece)
                    out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        name = f"{uuid.uuid4().hex}{ext}"
        os.replace(tmp, folder / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Pledge.objects.create(
        organisation=organisation,
        person=person,
        variant=variant,
        signed_on=signed_on,
        scan_file=f"pledges/{name}",
        scan_name=Path(upload.name or name).name[:255],
        scan_type=kind,
        scan_size=size,
        scan_sha256=digest.hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )


def scan_path(pledge: Pledge) -> Path:
    return Path(settings.DATA_DIR) / pledge.scan_file


def effective_settings(organisation: Organisation) -> dict:
    """Deadline and text for ``organisation``: the nearest ancestor (or itself) that sets it."""
    ids = [int(p) for p in organisation.path.strip("/").split("/") if p]
    rows = {s.organisation_id: s for s in PledgeSettings.objects.filter(organisation_id__in=ids)}
    result = {"deadline": None, "variant": PledgeVariant.county, "set_by": None}
    for org_id in ids:  # root first; deeper ones override
        row = rows.get(org_id)
        if row is not None:
            result = {
                "deadline": row.deadline or result["deadline"],
                "variant": row.variant,
                "set_by": org_id,
            }
    return result


def people_with_pledge(people: QuerySet[Person]) -> QuerySet[Person]:
    return people.annotate(signed=Exists(Pledge.objects.filter(person=OuterRef("pk"))))


@dataclass
class Completion:
    organisation: Organisation
    people: int
    signed: int
    unit_signed: bool
    deadline: date | None

    @property
    def percent(self) -> float:
        return round(100 * self.signed / self.people, 1) if self.people else 100.0

    @property
    def missing(self) -> int:
        return self.people - self.signed

    @property
    def overdue(self) -> bool:
        done = self.missing == 0 and self.unit_signed
        return bool(self.deadline and not done and timezone.localdate() > self.deadline)


def completion(organisation: Organisation) -> Completion:
    """People (active) and how many signed, in ``organisation`` and everything under it."""
    orgs = organisation.descendants()
    people = people_with_pledge(Person.objects.filter(organisation__in=orgs, active=True))
    total = people.count()
    signed = people.filter(signed=True).count()
    from .access import UNIT_KINDS

    unit_orgs = orgs.filter(kind__in=UNIT_KINDS)
    unit_pledge = Pledge.objects.filter(organisation=OuterRef("pk"), person__isnull=True)
    unit_done = unit_orgs.filter(Exists(unit_pledge)).count()
    return Completion(
        organisation,
        total,
        signed,
        unit_done == unit_orgs.count(),
        effective_settings(organisation)["deadline"],
    )


def _actively_mined(device) -> bool:
    from collector_server.reports.models import Report

    return (
        device.last_verdict == "mining" and device.last_mode == "active"
    ) or Report.objects.filter(device=device, verdict="mining", mode="active").exists()


def _must_resign(case) -> list[tuple[Person, object]]:
    """(person, device) pairs of ``case``: the device mined actively, the person is
    responsible for it and has not signed a pledge since the case was opened."""
    found = []
    for device in case.devices.all().order_by("hostname", "pk"):
        if not _actively_mined(device):
            continue
        for person in device.responsible_people.filter(active=True).order_by("name", "pk"):
            if not person.pledges.filter(uploaded_at__gt=case.received_at).exists():
                found.append((person, device))
    return found


def case_blockers(case) -> list[str]:
    """Why ``case`` cannot close yet: each person responsible for one of its devices that
    mined actively, who has not signed a pledge after the case was opened (须重新签订)."""
    return [
        _(
            "%(name)s (responsible for %(host)s, which mined actively) has not signed the pledge "
            "again since the case was opened."
        )
        % {"name": person.name, "host": device.hostname}
        for person, device in _must_resign(case)
    ]


def resign_ids(people: QuerySet[Person]) -> set[int]:
    """Of ``people``, those who must sign again because of an open case (see case_blockers)."""
    from collector_server.notices.models import Case, CaseState

    cases = (
        Case.objects.filter(devices__responsible_people__in=people)
        .exclude(state=CaseState.closed)
        .distinct()
    )
    wanted = set(people.values_list("pk", flat=True))
    return {p.pk for case in cases for p, _device in _must_resign(case) if p.pk in wanted}


def needs_pledge(people: QuerySet[Person]) -> QuerySet[Person]:
    """Active people who never signed, or who must sign again."""
    active = people_with_pledge(people.filter(active=True))
    return active.filter(Q(signed=False) | Q(pk__in=resign_ids(people)))
