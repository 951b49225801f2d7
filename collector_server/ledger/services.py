"""Ledger logic: enrolling devices, applying what a report says, duplicates and merging."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from collector_server.ledger.assets import clean_ips, os_label
from collector_server.ledger.models import (
    PERSON_FIELDS,
    Device,
    DeviceAlias,
    DeviceToken,
    EnrollmentToken,
    HardwareChange,
    MoveStatus,
    Organisation,
    PendingMove,
    candidate_fingerprint,
    device_for_fingerprint,
    hash_token,
)

if TYPE_CHECKING:  # the agent's models are imported by callers that need them
    from agent.wire.report import DeviceIdentity, Hardware

# Ledger fields an agent may send at enrollment (copied only into empty fields).
ENROLL_LEDGER_FIELDS = (
    "location",
    "department",
    "responsible_person",
    "responsible_phone",
    "asset_tag",
)


class EnrollmentRefused(Exception):
    """The enrollment token is unknown, expired, revoked or used up."""


def identity_fields(identity: DeviceIdentity) -> dict[str, Any]:
    """Device columns that come from the agent's identity block."""
    macs = sorted({m.lower() for m in identity.parts.macs if m})
    return {
        "system_uuid": (identity.parts.system_uuid or "")[:64],
        "board_serial": (identity.parts.board_serial or "")[:128],
        "system_serial": (identity.parts.system_serial or "")[:128],
        "macs": macs,
        "mac_key": ",".join(macs)[:1024],
        "machine_id": (identity.machine_id or "")[:64],
        "machine_guid": (identity.machine_guid or "")[:64],
        "manufacturer": (identity.manufacturer or "")[:200],
        "product": (identity.product or "")[:200],
        "hostname": identity.hostname[:255],
    }


@dataclass
class Enrollment:
    """What an enrollment did: the entry, its new device token, whether the entry is new,
    and what happened to the ledger fields the agent sent."""

    device: Device
    device_token: str
    created: bool
    kept: list[tuple[str, str, str]] = field(default_factory=list)  # (field, kept, sent)
    filled: list[str] = field(default_factory=list)


def enroll_device(
    plain_token: str,
    identity: DeviceIdentity,
    ledger: dict[str, str] | None = None,
    handcarry_key: str | None = None,
) -> tuple[Device, str, bool]:
    """Register (or re-register) a device; returns (device, plain device token, created).
    :func:`enroll_with_outcome` says also what happened to the ledger fields sent."""
    done = enroll_with_outcome(plain_token, identity, ledger, handcarry_key)
    return done.device, done.device_token, done.created


def enroll_with_outcome(
    plain_token: str,
    identity: DeviceIdentity,
    ledger: dict[str, str] | None = None,
    handcarry_key: str | None = None,
) -> Enrollment:
    """Register (or re-register) a device.

    The same fingerprint keeps its ledger entry and organisation when the token's organisation
    is that organisation or one above it; ledger fields sent by the agent fill only empty
    fields. A fingerprint held by another organisation gets a separate candidate entry in the
    token's organisation and a pending move (never the other entry, its token or its config).
    Earlier device tokens of the entry stop working. ``handcarry_key``: the agent's hand-carry
    public key (base64), bound to the entry.
    """
    ledger = {k: str(v)[:255] for k, v in (ledger or {}).items() if k in ENROLL_LEDGER_FIELDS and v}
    with transaction.atomic():
        token = (
            EnrollmentToken.objects.select_for_update()
            .select_related("organisation")
            .filter(token_hash=hash_token(plain_token))
            .first()
        )
        if token is None or not token.usable():
            raise EnrollmentRefused("enrollment token unknown, expired, revoked or used up")
        device, created, (kept, filled) = _enrolled_entry(token, identity, ledger)
        if handcarry_key:
            device.handcarry_key = handcarry_key
        device.enrolled_at = timezone.now()
        device.save()
        revoke_device_tokens(device, reason="re-enrolled")
        EnrollmentToken.objects.filter(pk=token.pk).update(uses=F("uses") + 1)
        _, plain = DeviceToken.issue(device, token)
    return Enrollment(device, plain, created, kept, list(ledger) if created else filled)


def _within(organisation: Organisation, scope: Organisation) -> bool:
    """Is ``organisation`` ``scope`` itself or below it?"""
    return organisation.path.startswith(scope.path)


def _enrolled_entry(
    token: EnrollmentToken, identity: DeviceIdentity, ledger: dict[str, str]
) -> tuple[Device, bool, Any]:
    """The ledger entry an enrollment acts on (locked), created when needed, and the ledger
    fields sent that were not used (field, kept value, sent value)."""
    org = token.organisation
    existing = device_for_fingerprint(identity.fingerprint)
    if existing is not None and not _within(existing.organisation, org):
        return _candidate_entry(token, identity, ledger, existing)
    fields = identity_fields(identity)
    if existing is None:
        adopted = _adopt_without_agent(org, identity, fields, ledger)
        if adopted is not None:
            return adopted
        device = Device(
            fingerprint=identity.fingerprint,
            organisation=org,
            first_seen=timezone.now(),
            **fields,
            **ledger,
        )
        try:
            with transaction.atomic():
                device.save()
            return device, True, ([], [])
        except IntegrityError:  # enrolled concurrently by a twin request
            existing = Device.objects.get(fingerprint=identity.fingerprint)
            if not _within(existing.organisation, org):
                return _candidate_entry(token, identity, ledger, existing)
    device = Device.objects.select_for_update().get(pk=existing.pk)
    return device, False, _refresh(device, identity, fields, ledger)


def _adopt_without_agent(
    org: Organisation, identity: DeviceIdentity, fields: dict[str, Any], ledger: dict[str, str]
) -> tuple[Device, bool, Any] | None:
    """The entry a person imported for this PC before its agent ran (same organisation, same
    hostname, the only such entry), now taken over by the agent: it keeps its ledger fields
    and starts reporting. None when there is no such single entry."""
    found = list(
        Device.objects.select_for_update().filter(
            organisation=org, runs_agent=False, hostname__iexact=identity.hostname
        )[:2]
    )
    if len(found) != 1:
        return None
    device = found[0]
    typed_macs = list(device.macs or [])
    for name, value in fields.items():
        setattr(device, name, value)
    if not device.macs and typed_macs:  # a VM's card is no identity MAC: keep the typed one
        device.macs, device.mac_key = typed_macs, ",".join(typed_macs)[:1024]
    device.fingerprint, device.runs_agent = identity.fingerprint, True
    kept, filled = [], []
    for name, value in ledger.items():
        current = getattr(device, name)
        if not current:
            setattr(device, name, value)
            filled.append(name)
        elif str(current) != value:
            kept.append((name, str(current), value))
    return device, False, (kept, filled)


def _refresh(
    device: Device, identity: DeviceIdentity, fields: dict[str, Any], ledger: dict[str, str]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """Update an existing entry from a re-enrollment (person-entered fields only if empty);
    the ledger fields sent that differ from a value already there: (field, kept, sent), and
    the ones filled in."""
    for name, value in fields.items():
        if (
            identity.fingerprint in (device.fingerprint, device.claimed_fingerprint)
            or name == "hostname"
        ):
            setattr(device, name, value)
    kept, filled = [], []
    for name, value in ledger.items():
        current = getattr(device, name)
        if not current:
            setattr(device, name, value)
            filled.append(name)
        elif current != value:
            kept.append((name, str(current), value))
    return kept, filled


def _candidate_entry(
    token: EnrollmentToken, identity: DeviceIdentity, ledger: dict[str, str], existing: Device
) -> tuple[Device, bool, Any]:
    """A separate entry in the token's organisation for a fingerprint another organisation
    holds, plus a pending move for a person who sees both to decide on."""
    org = token.organisation
    key = candidate_fingerprint(org, identity.fingerprint)
    fields = identity_fields(identity)
    device = Device.objects.select_for_update().filter(fingerprint=key).first()
    created = device is None
    if created:
        device = Device(
            fingerprint=key,
            claimed_fingerprint=identity.fingerprint,
            organisation=org,
            first_seen=timezone.now(),
            **fields,
            **ledger,
        )
        try:
            with transaction.atomic():
                device.save()
        except IntegrityError:  # a twin request created it concurrently
            device = Device.objects.select_for_update().get(fingerprint=key)
            created = False
    outcome = ([], []) if created else _refresh(device, identity, fields, ledger)
    if not PendingMove.objects.filter(candidate=device, status=MoveStatus.pending).exists():
        PendingMove.objects.create(
            device=existing,
            candidate=device,
            fingerprint=identity.fingerprint,
            from_organisation=existing.organisation,
            to_organisation=org,
            enrollment_token=token,
        )
    return device, created, outcome


# --- revocation ------------------------------------------------------------------------------


def revoke_device_tokens(device: Device, reason: str = "revoked") -> int:
    """Revoke every usable token of ``device``; returns how many."""
    return DeviceToken.objects.filter(device=device, revoked=False).update(
        revoked=True, revoked_at=timezone.now(), revoked_reason=reason[:64]
    )


def revoke_enrollment_token(token: EnrollmentToken, with_devices: bool = False) -> int:
    """Revoke an enrollment token and, with ``with_devices``, the device tokens it produced;
    returns how many device tokens were revoked."""
    token.revoke()
    if not with_devices:
        return 0
    return DeviceToken.objects.filter(enrollment_token=token, revoked=False).update(
        revoked=True, revoked_at=timezone.now(), revoked_reason="enrollment token revoked"
    )


# --- pending moves ---------------------------------------------------------------------------


class MoveRefused(Exception):
    """The pending move was already decided or its entries are gone."""


def visible_pending_moves(devices: QuerySet[Device]) -> QuerySet[PendingMove]:
    """Pending moves whose both entries lie within ``devices`` (what the user may see)."""
    ids = devices.values("pk")
    return PendingMove.objects.filter(
        status=MoveStatus.pending, device__in=ids, candidate__in=ids
    ).select_related("device", "candidate", "from_organisation", "to_organisation")


def decide_move(move: PendingMove, accept: bool, user=None) -> PendingMove:
    """Record a person's decision. Accepting moves the device to the candidate's organisation
    and folds the candidate (its reports and token) into it; rejecting revokes the candidate's
    tokens and leaves both entries apart."""
    with transaction.atomic():
        move = PendingMove.objects.select_for_update().get(pk=move.pk)
        if move.status != MoveStatus.pending or move.device is None or move.candidate is None:
            raise MoveRefused("this move was already decided")
        device, candidate = move.device, move.candidate
        if accept:
            revoke_device_tokens(device, reason="moved")
            device.organisation = move.to_organisation
            device.save(update_fields=["organisation"])
            candidate.claimed_fingerprint = ""
            candidate.save(update_fields=["claimed_fingerprint"])
            if candidate.handcarry_key:
                device.handcarry_key = candidate.handcarry_key
            merge_devices(device, candidate)  # the candidate entry is gone now
            move.candidate = None
            move.status = MoveStatus.moved
        else:
            revoke_device_tokens(candidate, reason="move rejected")
            move.status = MoveStatus.rejected
        move.decided_at = timezone.now()
        move.decided_by = user
        move.save(update_fields=["status", "decided_at", "decided_by", "candidate"])
    return move


def authenticate_device(plain_token: str) -> DeviceToken | None:
    """The valid device token (with its device) for a bearer value, else None."""
    if not plain_token:
        return None
    try:
        # only the small device columns the ingest path needs (not the hardware JSON)
        return (
            DeviceToken.objects.select_related("device")
            .only(
                "id",
                "device_id",
                "device__id",
                "device__fingerprint",
                "device__claimed_fingerprint",
                "device__organisation_id",
                "device__last_scan_at",
                "device__hardware_summary",
                "device__last_verdict",
                "device__last_mode",
            )
            .get(token_hash=hash_token(plain_token), revoked=False)
        )
    except DeviceToken.DoesNotExist:
        return None


def token_was_revoked(plain_token: str) -> bool:
    """Is ``plain_token`` a device token that was revoked (rather than an unknown one)?"""
    return (
        bool(plain_token)
        and DeviceToken.objects.filter(token_hash=hash_token(plain_token), revoked=True).exists()
    )


# --- hardware --------------------------------------------------------------------------------


def hardware_key(hw: dict[str, Any]) -> dict[str, Any]:
    """The parts of an inventory whose change is worth a history entry."""
    memory = (hw.get("memory") or {}).get("total_mb")
    return {
        "cpu": (hw.get("cpu") or {}).get("brand"),
        "gpus": sorted(g.get("name") or "" for g in hw.get("gpus") or []),
        "memory_gb": round(memory / 1024) if memory else None,
        "disks": sorted(
            f"{d.get('model') or ''}|{d.get('serial') or ''}|{round(d.get('size_gb') or 0)}"
            for d in hw.get("disks") or []
            if d.get("model") or d.get("serial")
        ),
        "macs": sorted(
            {
                (n.get("mac") or "").lower()
                for n in hw.get("nics") or []
                if n.get("mac") and n.get("physical") is not False
            }
        ),
    }


def describe_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    return "; ".join(
        f"{name}: {before.get(name)} → {after.get(name)}"
        for name in after
        if before.get(name) != after.get(name)
    )[:1024]


def hardware_fields(hardware: Hardware, hw_json: dict[str, Any]) -> dict[str, Any]:
    """Device columns derived from a report's hardware block."""
    ips: list[str] = []
    macs: list[str] = []
    for nic in hardware.nics:
        ips.extend(nic.ipv4)
        ips.extend(nic.ipv6)
        if nic.mac:
            macs.append(nic.mac.lower())
    ips = clean_ips(ips)  # no 127.0.0.1 / ::1 / fe80::
    hp = hardware.high_performance
    os_info = hardware.os
    return {
        "ip_addresses": ips[:64],
        "network_text": " ".join(ips + sorted(set(macs)))[:2048],
        "high_performance": hp.is_high_performance,
        "high_performance_category": (hp.category or "")[:32],
        "high_performance_reason": "；".join(r.zh for r in hp.reasons),
        "os_name": os_label(os_info.name, os_info.version)[:255] if os_info else "",
        "cpu_model": ((hardware.cpu.brand if hardware.cpu else None) or "")[:255],
        "gpu_models": ", ".join(g.name for g in hardware.gpus)[:1024],
        "memory_mb": int(hardware.memory.total_mb) if hardware.memory else None,
        "hardware": hw_json,
        "hardware_summary": hardware_key(hw_json),
    }


# --- suspected duplicates --------------------------------------------------------------------

DUPLICATE_KEYS = ("system_uuid", "board_serial", "system_serial", "mac_key")


@dataclass
class DuplicateGroup:
    """Devices with different fingerprints that share one identity part."""

    key: str
    value: str
    devices: list[Device] = field(default_factory=list)


def find_duplicates(devices: QuerySet[Device]) -> list[DuplicateGroup]:
    """Suspected duplicates among ``devices`` (already scoped to what the user may see)."""
    groups: list[DuplicateGroup] = []
    seen: set[frozenset[int]] = set()
    for key in DUPLICATE_KEYS:
        values = (
            devices.exclude(**{key: ""})
            .values(key)
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list(key, flat=True)
        )
        for value in values:
            members = list(
                devices.filter(**{key: value})
                .select_related("organisation")
                .order_by("first_seen", "id")
            )
            ids = frozenset(d.pk for d in members)
            if ids in seen:
                continue
            seen.add(ids)
            groups.append(DuplicateGroup(key=key, value=value, devices=members))
    return groups


def duplicates_of(device: Device) -> QuerySet[Device]:
    """Other devices sharing an identity part with ``device``."""
    q = Q()
    for key in DUPLICATE_KEYS:
        value = getattr(device, key)
        if value:
            q |= Q(**{key: value})
    if not q:
        return Device.objects.none()
    return Device.objects.filter(q).exclude(pk=device.pk)


def merge_devices(keep: Device, other: Device) -> Device:
    """Fold ``other`` into ``keep``: history, reports and tokens move over; person-entered
    fields of ``keep`` stay and are filled from ``other`` only where empty."""
    if keep.pk == other.pk:
        raise ValueError("cannot merge a device with itself")
    from collector_server.reports.models import Finding, Report

    db = keep._state.db or "default"
    with transaction.atomic(using=db):
        for model in (Report, Finding, HardwareChange, DeviceToken, DeviceAlias):
            model.objects.using(db).filter(device=other).update(device=keep)
        DeviceAlias.objects.using(db).create(fingerprint=other.fingerprint, device=keep)
        for name in PERSON_FIELDS:
            if not getattr(keep, name) and getattr(other, name):
                setattr(keep, name, getattr(other, name))
        keep.first_seen = min(keep.first_seen, other.first_seen)
        if other.last_seen and (keep.last_seen is None or other.last_seen > keep.last_seen):
            for name in (
                "last_seen",
                "last_scan_at",
                "last_verdict",
                "last_mode",
                "last_report_id",
                "hardware",
                "public_ip",
                "hostname",
                "ip_addresses",
                "network_text",
            ):
                setattr(keep, name, getattr(other, name))
        keep.notes = (keep.notes + f"\nmerged {other.fingerprint[:16]}").strip()
        other.delete(using=db)
        keep.save(using=db)
    return keep


# --- matching a notified address to organisations and devices -------------------------------


@dataclass
class AddressMatch:
    """Where an IP address from a notice leads: organisations (by egress line or managed range)
    and devices (by the public address of their uploads or their own addresses)."""

    address: str
    organisations: list = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)


def _networks(texts: list[str]):
    import ipaddress

    for text in texts:
        try:
            yield ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            continue


def match_address(address: str, devices: QuerySet[Device]) -> AddressMatch:
    """Match ``address`` against egress lines, managed ranges and devices within ``devices``
    (a queryset already scoped to what the user may see)."""
    import ipaddress

    from collector_server.ledger.models import EgressLine, ManagedRange, Organisation

    ip = ipaddress.ip_address(address.strip())
    db = devices.db
    org_ids = devices.values("organisation_id")
    orgs: set[int] = set()
    for line in EgressLine.objects.using(db).filter(organisation_id__in=org_ids):
        if any(ip in net for net in _networks(line.address_list())):
            orgs.add(line.organisation_id)
    for rng in ManagedRange.objects.using(db).filter(organisation_id__in=org_ids):
        if any(ip in net for net in _networks([rng.cidr])):
            orgs.add(rng.organisation_id)
    text = str(ip)
    found = list(
        devices.filter(Q(public_ip=text) | Q(network_text__contains=text)).select_related(
            "organisation"
        )
    )
    # network_text is a plain substring search: keep only exact address hits
    found = [d for d in found if d.public_ip == text or text in d.ip_addresses]
    return AddressMatch(
        address=text,
        organisations=list(Organisation.objects.using(db).filter(pk__in=orgs)),
        devices=found,
    )
