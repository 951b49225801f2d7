"""Importing hand-carried report files (.mcr) into the ledger: verify the tamper-evident
envelope (agent.wire.handcarry.verify), then store through the normal ingest service,
so importing a file twice stores it once."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pydantic import ValidationError

from agent.wire.checks import WIRE
from agent.wire.handcarry import HandcarryError, VerifiedHandcarry, token_hmac, verify
from agent.wire.report import Report as ReportModel
from collector_server.ledger.models import (
    Device,
    EnrollmentToken,
    Organisation,
    device_for_fingerprint,
)
from collector_server.ledger.services import identity_fields
from collector_server.reports.models import HeldHandcarry, HeldStatus
from collector_server.reports.services import (
    FingerprintMismatch,
    ReportRejected,
    ReportSource,
    import_report,
)

MAX_FILE_BYTES = 32 * 1024 * 1024


class HandcarryRefused(Exception):
    """The file was not imported; the message says why."""


@dataclass
class HandcarryResult:
    report_id: str
    device: Device | None
    device_created: bool
    duplicate: bool
    token_verified: bool
    verdict: str
    held: HeldHandcarry | None = None  # set when the file was held for review, not applied


# Why a file is held (English; the pages translate them).
HELD_OTHER_KEY = "signed with a key this computer did not enroll with"
HELD_NO_KEY = "no hand-carry key is known for this computer yet"
HELD_NEW_DEVICE = "a computer not in the ledger, and the file carries no enrollment token"


def token_keys(prefix: str | None) -> list[bytes]:
    """Candidate HMAC keys (raw sha256 digests of enrollment tokens) for a token prefix."""
    if not prefix:
        return []
    hashes = EnrollmentToken.objects.filter(prefix=prefix).values_list("token_hash", flat=True)
    return [bytes.fromhex(h) for h in hashes]


def _checked(data: bytes) -> tuple[VerifiedHandcarry, ReportModel]:
    """The verified envelope and the report inside, or HandcarryRefused."""
    if len(data) > MAX_FILE_BYTES:
        raise HandcarryRefused("the file is too large to be a minecheck report")
    try:
        checked = verify(data, token_keys)
    except HandcarryError as exc:
        raise HandcarryRefused(f"refused: {exc}") from exc
    try:
        model = ReportModel.model_validate_json(checked.report_json, context=WIRE)
    except ValidationError as exc:
        raise HandcarryRefused(
            f"refused: the report inside is not a valid minecheck report ({exc.error_count()} "
            "problems)"
        ) from exc
    return checked, model


def _within(org: Organisation, scope: Organisation | None) -> bool:
    return scope is not None and org.path.startswith(scope.path)


def import_handcarry(
    data: bytes, organisation: Organisation | None = None, allowed_orgs=None, user=None
) -> HandcarryResult:
    """Verify and ingest one hand-carry file. ``organisation``: where a device not yet in the
    ledger goes when the file carries no enrollment token. ``allowed_orgs``: a queryset the
    device's organisation must be in (the importing user's scope), or None for all.

    A file is applied only when it is signed with the key bound to its device (sent at
    enrollment), or, for a device with no key yet, when an enrollment token of the device's
    organisation authenticates it (the key is bound then). Any other intact file is held for
    review (``result.held``), never applied."""
    checked, model = _checked(data)
    token_org = _matching_token_org(checked) if checked.token_verified else None
    with transaction.atomic():
        device = device_for_fingerprint(model.device.fingerprint)
        if device is None:
            org = token_org or organisation
            if org is None:
                raise HandcarryRefused(
                    "this computer is not in the ledger yet and the file carries no enrollment "
                    "token: choose the organisation it belongs to"
                )
            _check_scope(org, allowed_orgs, "you may not add devices to that organisation")
            if token_org is None:
                return _held(data, checked, model, None, organisation, HELD_NEW_DEVICE, user)
            return _apply(_new_device(model, org), checked, model, created=True)
        _check_scope(
            device.organisation,
            allowed_orgs,
            "this computer belongs to an organisation you cannot see",
        )
        if device.handcarry_key:
            if hmac.compare_digest(device.handcarry_key, checked.public_key):
                return _apply(device, checked, model)
            return _held(data, checked, model, device, None, HELD_OTHER_KEY, user)
        if _within(device.organisation, token_org):
            return _apply(device, checked, model)
        return _held(data, checked, model, device, None, HELD_NO_KEY, user)


def _check_scope(org: Organisation, allowed_orgs, message: str) -> None:
    if allowed_orgs is not None and not allowed_orgs.filter(pk=org.pk).exists():
        raise HandcarryRefused(message)


def _new_device(model: ReportModel, org: Organisation) -> Device:
    return Device.objects.create(
        fingerprint=model.device.fingerprint,
        organisation=org,
        first_seen=timezone.now(),
        **identity_fields(model.device),
    )


def _apply(
    device: Device, checked: VerifiedHandcarry, model: ReportModel, created: bool = False
) -> HandcarryResult:
    """Store the report for ``device`` and bind the file's key when the device has none."""
    if not device.handcarry_key:
        device.handcarry_key = checked.public_key
        Device.objects.filter(pk=device.pk).update(handcarry_key=checked.public_key)
    try:
        result = import_report(ReportSource(device, model, checked.report_json, kind="handcarry"))
    except FingerprintMismatch as exc:  # pragma: no cover - device chosen by fingerprint
        raise HandcarryRefused(str(exc)) from exc
    except ReportRejected as exc:
        raise HandcarryRefused(f"refused: {exc}") from exc
    if result.status >= 400:
        raise HandcarryRefused(str(result.body.get("detail") or result.body))
    return HandcarryResult(
        str(model.report_id),
        device,
        created,
        result.duplicate,
        checked.token_verified,
        model.verdict.status.value,
    )


def _held(
    data: bytes,
    checked: VerifiedHandcarry,
    model: ReportModel,
    device: Device | None,
    organisation: Organisation | None,
    reason: str,
    user,
) -> HandcarryResult:
    """Keep the file for review; importing the same file again changes nothing."""
    held, _ = HeldHandcarry.objects.get_or_create(
        sha256=hashlib.sha256(data).hexdigest(),
        defaults={
            "data": data,
            "report_id": model.report_id,
            "fingerprint": model.device.fingerprint,
            "hostname": model.device.hostname[:255],
            "verdict": model.verdict.status.value,
            "started_at": model.started_at,
            "public_key": checked.public_key,
            "reason": reason,
            "device": device,
            "organisation": organisation,
            "imported_by": user if getattr(user, "pk", None) else None,
        },
    )
    return HandcarryResult(
        str(model.report_id),
        device,
        False,
        False,
        checked.token_verified,
        model.verdict.status.value,
        held=held,
    )


def held_for(allowed_orgs) -> QuerySet[HeldHandcarry]:
    """Files waiting for review within ``allowed_orgs`` (None: all)."""
    qs = HeldHandcarry.objects.filter(status=HeldStatus.held).select_related(
        "device", "device__organisation", "organisation"
    )
    if allowed_orgs is None:
        return qs
    return qs.filter(
        Q(device__organisation__in=allowed_orgs)
        | Q(device__isnull=True, organisation__in=allowed_orgs)
    )


def decide_held(held: HeldHandcarry, accept: bool, user=None) -> HandcarryResult | None:
    """Record a person's decision on a held file. Accepting applies the report (and binds the
    file's key to a device that has none); rejecting keeps it out for good."""
    with transaction.atomic():
        held = HeldHandcarry.objects.select_for_update().get(pk=held.pk)
        if held.status != HeldStatus.held:
            raise HandcarryRefused("this file was already decided")
        result = None
        if accept:
            checked, model = _checked(bytes(held.data))
            device = held.device or device_for_fingerprint(model.device.fingerprint)
            created = device is None
            if created:
                if held.organisation is None:
                    raise HandcarryRefused("choose the organisation it belongs to")
                device = _new_device(model, held.organisation)
            result = _apply(device, checked, model, created=created)
        held.status = HeldStatus.accepted if accept else HeldStatus.rejected
        held.decided_at = timezone.now()
        held.decided_by = user if getattr(user, "pk", None) else None
        held.save(update_fields=["status", "decided_at", "decided_by"])
    return result


def _matching_token_org(checked: VerifiedHandcarry) -> Organisation | None:
    """The organisation of the enrollment token whose HMAC verified the file."""
    expected = checked.token_hmac or ""
    tokens = EnrollmentToken.objects.select_related("organisation")
    for token in tokens.filter(prefix=checked.token_prefix):
        digest = token_hmac(bytes.fromhex(token.token_hash), checked.report_json)
        if hmac.compare_digest(digest, expected):
            return token.organisation
    return None
