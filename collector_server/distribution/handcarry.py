"""Importing hand-carried report files (.mcr) into the ledger: verify the tamper-evident
envelope (agent.transport.handcarry.verify), then store through the normal ingest service,
so importing a file twice stores it once."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from agent.report.model import Report as ReportModel
from agent.transport.handcarry import HandcarryError, verify
from collector_server.ingest.services import FingerprintMismatch, ingest_report
from collector_server.ledger.models import (
    Device,
    EnrollmentToken,
    Organisation,
    device_for_fingerprint,
)
from collector_server.ledger.services import identity_fields

MAX_FILE_BYTES = 32 * 1024 * 1024


class HandcarryRefused(Exception):
    """The file was not imported; the message says why."""


@dataclass
class HandcarryResult:
    report_id: str
    device: Device
    device_created: bool
    duplicate: bool
    token_verified: bool
    verdict: str


def token_keys(prefix: str | None) -> list[bytes]:
    """Candidate HMAC keys (raw sha256 digests of enrollment tokens) for a token prefix."""
    if not prefix:
        return []
    hashes = EnrollmentToken.objects.filter(prefix=prefix).values_list("token_hash", flat=True)
    return [bytes.fromhex(h) for h in hashes]


def import_handcarry(data: bytes, organisation: Organisation | None = None,
                     allowed_orgs=None) -> HandcarryResult:
    """Verify and ingest one hand-carry file. ``organisation``: where a device not yet in the
    ledger goes when the file carries no enrollment token. ``allowed_orgs``: a queryset the
    device's organisation must be in (the importing user's scope), or None for all."""
    if len(data) > MAX_FILE_BYTES:
        raise HandcarryRefused("the file is too large to be a minecheck report")
    try:
        checked = verify(data, token_keys)
    except HandcarryError as exc:
        raise HandcarryRefused(f"refused: {exc}") from exc
    try:
        model = ReportModel.model_validate_json(checked.report_json)
    except ValidationError as exc:
        raise HandcarryRefused(
            f"refused: the report inside is not a valid minecheck report ({exc.error_count()} "
            "problems)"
        ) from exc
    token_org = None
    if checked.token_verified:
        token_org = _matching_token_org(data, checked.report_json)
    with transaction.atomic():
        device = device_for_fingerprint(model.device.fingerprint)
        created = device is None
        if created:
            org = token_org or organisation
            if org is None:
                raise HandcarryRefused(
                    "this computer is not in the ledger yet and the file carries no enrollment "
                    "token: choose the organisation it belongs to"
                )
            if allowed_orgs is not None and not allowed_orgs.filter(pk=org.pk).exists():
                raise HandcarryRefused("you may not add devices to that organisation")
            now = timezone.now()
            device = Device.objects.create(fingerprint=model.device.fingerprint, organisation=org,
                                           first_seen=now, **identity_fields(model.device))
        elif allowed_orgs is not None and not allowed_orgs.filter(
                pk=device.organisation_id).exists():
            raise HandcarryRefused("this computer belongs to an organisation you cannot see")
        try:
            result = ingest_report(device, model, checked.report_json, None, source="handcarry")
        except FingerprintMismatch as exc:  # pragma: no cover - device chosen by fingerprint
            raise HandcarryRefused(str(exc)) from exc
    if result.status >= 400:
        raise HandcarryRefused(str(result.body.get("detail") or result.body))
    return HandcarryResult(str(model.report_id), device, created, result.duplicate,
                           checked.token_verified, model.verdict.status.value)


def _matching_token_org(data: bytes, report_json: bytes) -> Organisation | None:
    """The organisation of the enrollment token whose HMAC verified the file."""
    envelope = json.loads(data)
    expected = str(envelope.get("token_hmac") or "")
    prefix = envelope.get("token_prefix")
    for token in EnrollmentToken.objects.select_related("organisation").filter(prefix=prefix):
        digest = hmac.new(bytes.fromhex(token.token_hash), report_json, hashlib.sha256)
        if hmac.compare_digest(digest.hexdigest(), expected):
            return token.organisation
    return None
