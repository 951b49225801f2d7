"""Agent API of the ledger (enroll, config: device-token auth) and its read API for signed-in
dashboard users (devices: session auth, scoped like the pages)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from agent.wire import api as wire
from agent.wire.checks import WIRE
from agent.wire.enroll import EnrollRequest, describe_errors
from agent.wire.report import ACCEPTED_SCHEMA_VERSIONS
from collector_server.accounts.scoping import get_device_or_404, scope_devices
from collector_server.http.body import BodyError, read_body
from collector_server.http.errors import bearer, error
from collector_server.http.paging import MAX_LIMIT, MAX_OFFSET
from collector_server.ledger.models import AgentSettings, Device
from collector_server.ledger.services import (
    EnrollmentRefused,
    authenticate_device,
    enroll_with_outcome,
    token_was_revoked,
)
from collector_server.signatures.keys import public_key_b64

LIST_FIELDS = (
    "id",
    "hostname",
    "organisation_id",
    "organisation__name",
    "location",
    "department",
    "responsible_person",
    "asset_tag",
    "public_ip",
    "high_performance",
    "last_verdict",
    "last_seen",
)


def _bounded_int(text: str, low: int, high: int) -> int:
    """``text`` as a decimal integer within low..high, else ValueError."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise ValueError(text)
    value = int(text)
    if not low <= value <= high:
        raise ValueError(text)
    return value


def _login_required(request: HttpRequest) -> JsonResponse | None:
    if not request.user.is_authenticated:
        # no WWW-Authenticate: the session API is not Bearer-authenticated
        return JsonResponse(
            wire.Error(error="unauthorized", detail="sign in first").json_body(), status=401
        )
    return None


def device_json(device: Device) -> wire.Device:
    return wire.Device(
        **{
            "id": device.pk,
            "fingerprint": device.fingerprint,
            "hostname": device.hostname,
            "organisation": {"id": device.organisation_id, "name": device.organisation.name},
            "location": device.location,
            "department": device.department,
            "responsible_person": device.responsible_person,
            "responsible_phone": device.responsible_phone,
            "asset_tag": device.asset_tag,
            "status": device.status,
            "ip_addresses": device.ip_addresses,
            "macs": device.macs,
            "public_ip": device.public_ip,
            "high_performance": device.high_performance,
            "high_performance_reason": device.high_performance_reason,
            "cpu_model": device.cpu_model,
            "gpu_models": device.gpu_models,
            "memory_mb": device.memory_mb,
            "last_verdict": device.last_verdict,
            "last_mode": device.last_mode,
            "first_seen": device.first_seen.isoformat() if device.first_seen else None,
            "last_seen": device.last_seen.isoformat() if device.last_seen else None,
            "hardware": device.hardware,
        }
    )


@require_GET
def device_list(request: HttpRequest) -> JsonResponse:
    denied = _login_required(request)
    if denied:
        return denied
    try:
        offset = _bounded_int(request.GET.get("offset", "0"), 0, MAX_OFFSET)
        limit = _bounded_int(request.GET.get("limit", "100"), 1, MAX_LIMIT)
    except ValueError:
        return error(
            400,
            "bad_request",
            f"offset must be an integer 0..{MAX_OFFSET} and limit an integer 1..{MAX_LIMIT}",
        )
    qs = scope_devices(Device.objects.all(), request.user).order_by("id")
    rows = list(qs.values(*LIST_FIELDS)[offset : offset + limit])
    for row in rows:
        row["organisation"] = row.pop("organisation__name")
        row["last_seen"] = row["last_seen"].isoformat() if row["last_seen"] else None
    page = wire.DeviceList(count=qs.count(), offset=offset, results=rows)
    return JsonResponse(page.json_body(), json_dumps_params={"ensure_ascii": False})


@require_GET
def device_detail(request: HttpRequest, device_id: int) -> JsonResponse:
    denied = _login_required(request)
    if denied:
        return denied
    try:
        device = get_device_or_404(request.user, pk=device_id)
    except Http404:
        return error(404, "not_found", "no such device")
    return JsonResponse(device_json(device).json_body(), json_dumps_params={"ensure_ascii": False})


def refused_token(plain: str) -> JsonResponse:
    """The 401 for a device token that authenticates nothing (revoked ones say so)."""
    if token_was_revoked(plain):
        return error(
            401, "token_revoked", "this device token was revoked: enroll this computer again"
        )
    return error(401, "unauthorized", "unknown or revoked device token")


def agent_config(organisation) -> wire.AgentConfig:
    return wire.AgentConfig(
        **AgentSettings.effective(organisation),
        max_report_bytes=settings.MINECHECK_MAX_REPORT_BYTES,
        accepted_schema_versions=list(ACCEPTED_SCHEMA_VERSIONS),
        server_time=timezone.now().isoformat(),
        signing_public_key=public_key_b64(),
    )


@csrf_exempt
@require_POST
def enroll(request: HttpRequest) -> JsonResponse:
    try:
        raw = read_body(request, limit=256 * 1024)
        payload = EnrollRequest.model_validate_json(raw, context=WIRE)
    except BodyError as exc:
        return error(exc.status, "bad_body", exc.message)
    except ValidationError as exc:
        summary, items = describe_errors(exc)
        return error(422, "invalid_enrollment", summary, errors=items)
    plain = payload.enrollment_token or bearer(request)
    if not plain:
        return error(401, "no_token", "send the enrollment token in the body or as Bearer")
    try:
        done = enroll_with_outcome(
            plain,
            payload.device,
            payload.ledger.model_dump(exclude_none=True),
            handcarry_key=payload.handcarry_public_key,
        )
    except EnrollmentRefused as exc:
        return error(401, "enrollment_refused", str(exc))
    device, created = done.device, done.created
    org = device.organisation
    answer = wire.EnrollAnswer(
        device_id=device.pk,
        device_token=done.device_token,
        created=created,
        ledger_kept=[wire.KeptLedgerField(field=f, kept=k, sent=v) for f, k, v in done.kept],
        ledger_filled=done.filled,
        organisation=wire.OrganisationRef(id=org.pk, name=org.name, kind=org.kind),
        config=agent_config(org),
        signing_public_key=public_key_b64(),
    )
    return JsonResponse(
        answer.json_body(),
        status=201 if created else 200,
        json_dumps_params={"ensure_ascii": False},
    )


@require_GET
def config(request: HttpRequest) -> JsonResponse:
    token = authenticate_device(bearer(request))
    if token is None:
        return refused_token(bearer(request))
    return JsonResponse(agent_config(token.device.organisation).json_body())
