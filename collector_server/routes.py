"""The agent API's route table: one list from which both the URLs below /api/v1/ and the
OpenAPI document (collector_server/openapi.py) come.

Each route names its view (dotted path, imported when the URLs are built), its request
model and, per status, the answer model from agent/wire (the messages both sides share).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, path
from django.utils.module_loading import import_string
from pydantic import BaseModel

from agent.wire import api as wire
from agent.wire.enroll import EnrollRequest
from agent.wire.report import Report
from collector_server.http.paging import MAX_LIMIT, MAX_OFFSET

PREFIX = "/api/v1/"


@dataclass(frozen=True)
class Answer:
    """One documented answer of a route: a JSON model, or bytes of ``media`` (model None)."""

    description: str
    model: type[BaseModel] | None = wire.Error
    media: str = "application/json"


@dataclass(frozen=True)
class Route:
    path: str  # Django path syntax, below /api/v1/
    method: str
    view: str  # dotted path of the view
    name: str  # URL name in the "api" namespace
    summary: str
    answers: dict[int, Answer]
    request: type[BaseModel] | None = None
    security: str | None = None  # "deviceToken" | "session" | None (anonymous)
    description: str = ""
    parameters: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    documented: bool = True  # the document's own routes are not in it


def _ok(description: str, model: type[BaseModel]) -> Answer:
    return Answer(description, model)


def _err(description: str) -> Answer:
    return Answer(description)


BAD_TOKEN = _err("unknown or revoked device token")

ROUTES: tuple[Route, ...] = (
    Route(
        "enroll",
        "post",
        "collector_server.ledger.api.enroll",
        "enroll",
        "Enroll a device with an enrollment token",
        description=(
            "Returns a per-device token (shown once). Enrolling the same device "
            "(same fingerprint) again with a token of its organisation (or one above "
            "it) keeps its ledger entry and revokes its earlier device tokens; ledger "
            "fields sent here only fill fields that are empty. A fingerprint another "
            "organisation holds gets a separate entry in the token's organisation "
            "(answered like a new device) and a pending move for a person to decide; "
            "the token never acts on the other organisation's entry. "
            "handcarry_public_key binds the agent's hand-carry signing key."
        ),
        request=EnrollRequest,
        answers={
            201: _ok("new device enrolled", wire.EnrollAnswer),
            200: _ok("known device enrolled again", wire.EnrollAnswer),
            400: _err("the body cannot be decoded (bad Content-Length or encoding)"),
            401: _err(
                "enrollment token missing ('no_token'), or unknown, expired, "
                "revoked or used up ('enrollment_refused')"
            ),
            413: _err("body larger than the limit"),
            415: _err("unsupported Content-Encoding (use gzip or none)"),
            422: _err("the body does not match EnrollRequest"),
        },
    ),
    Route(
        "reports",
        "post",
        "collector_server.reports.api.reports",
        "reports",
        "Upload one scan report",
        request=Report,
        security="deviceToken",
        parameters=(
            {
                "name": "Content-Encoding",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "enum": ["gzip", "identity"]},
            },
        ),
        answers={
            201: _ok(
                "stored (a repeated report_id gets this same answer again, with "
                "X-Minecheck-Duplicate: 1)",
                wire.UploadAnswer,
            ),
            400: _err(
                "the body cannot be decoded: bad Content-Length, or not valid "
                "(or truncated) gzip data"
            ),
            401: _err(
                "unknown device token (error 'unauthorized') or revoked one "
                "(error 'token_revoked': enroll again)"
            ),
            409: _err(
                "the report's device fingerprint is not the token's device, or its "
                "report_id was already uploaded by another device"
            ),
            413: _err("body larger than max_report_bytes after decompression"),
            415: _err("unsupported Content-Encoding (use gzip or none)"),
            422: _err(
                "not JSON or not a valid Report ('errors' lists locations), or "
                "started_at too far ahead of the collector's clock or too old"
            ),
            503: _err("overloaded; retry after the Retry-After header's seconds"),
        },
    ),
    Route(
        "config",
        "get",
        "collector_server.ledger.api.config",
        "config",
        "Settings the bureau pushes to the agent",
        security="deviceToken",
        answers={
            200: _ok("effective settings (inherited from parent organisations)", wire.AgentConfig),
            401: BAD_TOKEN,
        },
    ),
    Route(
        "devices",
        "get",
        "collector_server.ledger.api.device_list",
        "devices",
        "Devices the signed-in user may see (their organisation and below)",
        security="session",
        parameters=(
            {
                "name": "offset",
                "in": "query",
                "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
            },
            {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            },
        ),
        answers={
            200: _ok("count, offset and one page of devices", wire.DeviceList),
            400: _err(
                f"offset not an integer 0..{MAX_OFFSET} or limit not an integer 1..{MAX_LIMIT}"
            ),
            401: _err("not signed in"),
        },
    ),
    Route(
        "devices/<int:device_id>",
        "get",
        "collector_server.ledger.api.device_detail",
        "device",
        "One device with its ledger fields and latest hardware",
        security="session",
        answers={
            200: _ok("the device", wire.Device),
            401: _err("not signed in"),
            404: _err(
                "no such device, not visible to this user, or a device_id "
                "that is not a decimal integer"
            ),
        },
    ),
    Route(
        "signatures/latest",
        "get",
        "collector_server.signatures.api.latest",
        "signatures_latest",
        "The newest signed signature bundle: version, sha256, size, "
        "Ed25519 signature (base64) over the archive, download url",
        security="deviceToken",
        answers={
            200: _ok("bundle metadata", wire.BundleInfo),
            401: BAD_TOKEN,
            404: _err("no bundle has been published yet"),
        },
    ),
    Route(
        "signatures/<str:version>/archive",
        "get",
        "collector_server.signatures.api.archive",
        "signatures_archive",
        "The bundle archive (tar.gz with manifest.json); verify the "
        "signature with the key given at enrollment before using it",
        security="deviceToken",
        answers={
            200: Answer("archive bytes", None, "application/gzip"),
            401: BAD_TOKEN,
            404: _err("no such bundle version"),
        },
    ),
    Route(
        "openapi.json",
        "get",
        "collector_server.openapi.openapi",
        "openapi",
        "This document",
        answers={},
        documented=False,
    ),
    Route(
        "docs",
        "get",
        "collector_server.openapi.docs",
        "docs",
        "This document as a page",
        answers={},
        documented=False,
    ),
)

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
PARAM_TYPES = {"int": {"type": "integer"}, "str": {"type": "string"}}


def openapi_path(route: Route) -> tuple[str, list[dict[str, Any]]]:
    """The route's OpenAPI path (``{name}`` placeholders) and its path parameters."""
    params = [
        {"name": name, "in": "path", "required": True, "schema": dict(PARAM_TYPES[conv or "str"])}
        for conv, name in _CONVERTER.findall(route.path)
    ]
    return PREFIX + _CONVERTER.sub(r"{\2}", route.path), params


def api_urlpatterns() -> list[URLPattern]:
    """The URL patterns below /api/v1/ (namespace ``api``), one per route."""
    return [path(r.path, import_string(r.view), name=r.name) for r in ROUTES]
