"""Agent API of reports: POST /api/v1/reports (device-token auth).

The view only translates HTTP to ``reports.services``.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from agent.wire.checks import WIRE
from agent.wire.enroll import describe_errors
from agent.wire.report import Report as ReportModel
from collector_server.http.body import BodyError, client_address, read_body_keep
from collector_server.http.errors import bearer, error
from collector_server.ledger.api import refused_token
from collector_server.ledger.services import authenticate_device
from collector_server.reports.services import (
    FingerprintMismatch,
    ReportRejected,
    ReportSource,
    import_report,
)

_ingest_slots = threading.BoundedSemaphore(max(1, settings.MINECHECK_MAX_CONCURRENT_INGESTS))


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
        return error(
            exc.status,
            "too_large" if exc.status == 413 else "bad_body",
            exc.message,
            max_bytes=settings.MINECHECK_MAX_REPORT_BYTES,
        )
    if not raw:
        return error(422, "invalid_report", "empty body: send the report as JSON")
    try:
        model = ReportModel.model_validate_json(raw, context=WIRE)
    except ValidationError as exc:
        summary, items = describe_errors(exc)
        return error(422, "invalid_report", summary, errors=items)
    try:
        result = import_report(
            ReportSource(device, model, raw, address=client_address(request), compressed=gzipped)
        )
    except FingerprintMismatch as exc:
        return error(409, "fingerprint_mismatch", str(exc))
    except ReportRejected as exc:
        return error(422, "invalid_report", str(exc))
    response = JsonResponse(result.body, status=result.status)
    if result.duplicate:
        response["X-Minecheck-Duplicate"] = "1"
    return response
