"""Agent API: enroll, upload reports, fetch config; OpenAPI description and docs page.

Views only translate HTTP to the services in ``ledger.services`` and ``ingest.services``.
"""

from __future__ import annotations

import json
import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from agent.wire.checks import WIRE
from agent.wire.enroll import EnrollRequest, describe_errors
from agent.wire.report import ACCEPTED_SCHEMA_VERSIONS
from agent.wire.report import Report as ReportModel
from collector_server.api.body import BodyError, client_address, read_body, read_body_keep
from collector_server.api.openapi import openapi_spec
from collector_server.distribution.keys import public_key_b64
from collector_server.ingest.services import FingerprintMismatch, ReportRejected, ingest_report
from collector_server.ledger.models import AgentSettings
from collector_server.ledger.services import (
    EnrollmentRefused,
    authenticate_device,
    enroll_device,
    token_was_revoked,
)

_ingest_slots = threading.BoundedSemaphore(max(1, settings.MINECHECK_MAX_CONCURRENT_INGESTS))


def error(status: int, code: str, detail: str, **extra) -> JsonResponse:
    response = JsonResponse({"error": code, "detail": detail, **extra}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="minecheck"'
    return response


def bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def refused_token(plain: str) -> JsonResponse:
    """The 401 for a device token that authenticates nothing (revoked ones say so)."""
    if token_was_revoked(plain):
        return error(401, "token_revoked",
                     "this device token was revoked: enroll this computer again")
    return error(401, "unauthorized", "unknown or revoked device token")


def agent_config(organisation) -> dict:
    return {
        **AgentSettings.effective(organisation),
        "max_report_bytes": settings.MINECHECK_MAX_REPORT_BYTES,
        "accepted_schema_versions": list(ACCEPTED_SCHEMA_VERSIONS),
        "server_time": timezone.now().isoformat(),
        "signing_public_key": public_key_b64(),
    }


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
        device, device_token, created = enroll_device(
            plain, payload.device, payload.ledger.model_dump(exclude_none=True),
            handcarry_key=payload.handcarry_public_key,
        )
    except EnrollmentRefused as exc:
        return error(401, "enrollment_refused", str(exc))
    org = device.organisation
    return JsonResponse(
        {
            "device_id": device.pk,
            "device_token": device_token,
            "created": created,
            "organisation": {"id": org.pk, "name": org.name, "kind": org.kind},
            "config": agent_config(org),
            "signing_public_key": public_key_b64(),
        },
        status=201 if created else 200,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def reports(request: HttpRequest) -> HttpResponse:
    token = authenticate_device(bearer(request))
    if token is None:
        return refused_token(bearer(request))
    if not _ingest_slots.acquire(blocking=False):
        response = error(503, "busy", "too many uploads in progress; retry later")
        response["Retry-After"] = str(settings.MINECHECK_RETRY_AFTER_SECONDS)
        return response
    try:
        return _ingest(request, token.device)
    finally:
        _ingest_slots.release()


def _ingest(request: HttpRequest, device) -> HttpResponse:
    try:
        raw, gzipped = read_body_keep(request)
    except BodyError as exc:
        return error(exc.status, "too_large" if exc.status == 413 else "bad_body", exc.message,
                     max_bytes=settings.MINECHECK_MAX_REPORT_BYTES)
    if not raw:
        return error(422, "invalid_report", "empty body: send the report as JSON")
    try:
        model = ReportModel.model_validate_json(raw, context=WIRE)
    except ValidationError as exc:
        summary, items = describe_errors(exc)
        return error(422, "invalid_report", summary, errors=items)
    try:
        result = ingest_report(device, model, raw, client_address(request), compressed=gzipped)
    except FingerprintMismatch as exc:
        return error(409, "fingerprint_mismatch", str(exc))
    except ReportRejected as exc:
        return error(422, "invalid_report", str(exc))
    response = JsonResponse(result.body, status=result.status)
    if result.duplicate:
        response["X-Minecheck-Duplicate"] = "1"
    return response


@require_GET
def config(request: HttpRequest) -> JsonResponse:
    token = authenticate_device(bearer(request))
    if token is None:
        return refused_token(bearer(request))
    return JsonResponse(agent_config(token.device.organisation))


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_spec(), json_dumps_params={"ensure_ascii": False})


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    spec = openapi_spec()
    return render(request, "api/docs.html", {
        "spec": spec,
        "spec_json": json.dumps(spec, ensure_ascii=False, indent=2),
        "operations": [
            {"path": p, "method": m.upper(), **op}
            for p, methods in spec["paths"].items() for m, op in methods.items()
        ],
    })
