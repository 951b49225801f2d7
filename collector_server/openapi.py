"""The OpenAPI 3 description of the agent API (hand-written, plus pydantic's JSON schemas)."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agent.wire.enroll import EnrollRequest
from agent.wire.report import SCHEMA_VERSION
from agent.wire.report import Report as ReportModel
from collector_server.http.paging import MAX_LIMIT, MAX_OFFSET


def _schemas() -> dict[str, Any]:
    """Component schemas from the pydantic models, with $defs lifted into components."""
    components: dict[str, Any] = {}
    for name, model in (("Report", ReportModel), ("EnrollRequest", EnrollRequest)):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[name] = schema
    components["Error"] = {
        "type": "object",
        "description": (
            "Every error answer under /api/ (400, 401, 404, 405, 409, 413, 422, 429, 500, 503) "
            "is this JSON object, never an HTML page."
        ),
        "required": ["error", "detail"],
        "properties": {
            "error": {"type": "string", "description": "machine-readable code"},
            "detail": {"type": "string", "description": "what is wrong, in words"},
            "errors": {
                "type": "array",
                "items": {"type": "object", "properties": {
                    "loc": {"type": "string"}, "msg": {"type": "string"},
                    "type": {"type": "string"}}},
                "description": "validation errors with dotted locations (422 only)",
            },
            "max_bytes": {"type": "integer", "description": "the body limit (400/413 on bodies)"},
        },
    }
    components["DeviceSummary"] = {
        "type": "object",
        "required": ["id", "hostname", "organisation_id", "organisation"],
        "properties": {
            "id": {"type": "integer"},
            "hostname": {"type": "string"},
            "organisation_id": {"type": "integer"},
            "organisation": {"type": "string", "description": "the organisation's name"},
            "location": {"type": "string"},
            "department": {"type": "string"},
            "responsible_person": {"type": "string"},
            "asset_tag": {"type": "string"},
            "public_ip": {"type": ["string", "null"]},
            "high_performance": {"type": "boolean"},
            "last_verdict": {"type": "string"},
            "last_seen": {"type": ["string", "null"], "format": "date-time"},
        },
    }
    components["DeviceList"] = {
        "type": "object",
        "required": ["count", "offset", "results"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0},
            "results": {"type": "array",
                        "items": {"$ref": "#/components/schemas/DeviceSummary"}},
        },
    }
    components["Device"] = {
        "type": "object",
        "required": ["id", "fingerprint", "hostname", "organisation"],
        "properties": {
            "id": {"type": "integer"},
            "fingerprint": {"type": "string"},
            "hostname": {"type": "string"},
            "organisation": {"type": "object", "required": ["id", "name"], "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}}},
            "status": {"type": "string"},
            "ip_addresses": {"type": "array"},
            "macs": {"type": "array"},
            "gpu_models": {"type": "array"},
            "memory_mb": {"type": ["integer", "null"]},
            "first_seen": {"type": ["string", "null"], "format": "date-time"},
            "last_seen": {"type": ["string", "null"], "format": "date-time"},
            "hardware": {"type": ["object", "null"]},
        },
    }
    components["BundleInfo"] = {
        "type": "object",
        "required": ["version", "sha256", "size", "signature", "url"],
        "properties": {
            "version": {"type": "string"},
            "sha256": {"type": "string"},
            "size": {"type": "integer"},
            "signature": {"type": "string", "description": "Ed25519 signature, base64"},
            "created_at": {"type": "string", "format": "date-time"},
            "url": {"type": "string"},
        },
    }
    components["AgentConfig"] = {
        "type": "object",
        "properties": {
            "scan_interval_minutes": {"type": "integer"},
            "sample_seconds": {"type": "integer"},
            "deep_scan": {"type": "boolean"},
            "max_report_bytes": {"type": "integer"},
            "accepted_schema_versions": {"type": "array", "items": {"type": "integer"}},
            "server_time": {"type": "string", "format": "date-time"},
        },
    }
    components["EnrollResponse"] = {
        "type": "object",
        "properties": {
            "device_id": {"type": "integer"},
            "device_token": {"type": "string", "description": "returned once; keep it secret"},
            "created": {"type": "boolean"},
            "organisation": {"type": "object"},
            "config": {"$ref": "#/components/schemas/AgentConfig"},
        },
    }
    components["UploadResponse"] = {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["accepted"]},
            "report_id": {"type": "string", "format": "uuid"},
            "device_id": {"type": "integer"},
            "verdict": {"type": "string"},
            "findings": {"type": "integer"},
        },
    }
    return components


def _err(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


@lru_cache(maxsize=1)
def openapi_spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "minecheck collector agent API",
            "version": "1",
            "description": (
                "JSON API between the minecheck agent and the collector. Uploads are the "
                f"agent's Report model (schema_version {SCHEMA_VERSION}), optionally gzip "
                "(Content-Encoding: gzip). Uploads are idempotent by report_id."
            ),
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {
                "deviceToken": {"type": "http", "scheme": "bearer",
                                "description": "per-device token returned by /api/v1/enroll"},
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                            "description": "a dashboard user's session (/accounts/login/)"},
            },
            "schemas": _schemas(),
        },
        "paths": {
            "/api/v1/enroll": {"post": {
                "summary": "Enroll a device with an enrollment token",
                "description": (
                    "Returns a per-device token (shown once). Enrolling the same device "
                    "(same fingerprint) again with a token of its organisation (or one above "
                    "it) keeps its ledger entry and revokes its earlier device tokens; ledger "
                    "fields sent here only fill fields that are empty. A fingerprint another "
                    "organisation holds gets a separate entry in the token's organisation "
                    "(answered like a new device) and a pending move for a person to decide; "
                    "the token never acts on the other organisation's entry. "
                    "handcarry_public_key binds the agent's hand-carry signing key."
                ),
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/EnrollRequest"}}}},
                "responses": {
                    "201": _ok("new device enrolled", "EnrollResponse"),
                    "200": _ok("known device enrolled again", "EnrollResponse"),
                    "400": _err("the body cannot be decoded (bad Content-Length or encoding)"),
                    "401": _err("enrollment token missing ('no_token'), or unknown, expired, "
                                "revoked or used up ('enrollment_refused')"),
                    "413": _err("body larger than the limit"),
                    "415": _err("unsupported Content-Encoding (use gzip or none)"),
                    "422": _err("the body does not match EnrollRequest"),
                },
            }},
            "/api/v1/reports": {"post": {
                "summary": "Upload one scan report",
                "security": [{"deviceToken": []}],
                "parameters": [{"name": "Content-Encoding", "in": "header", "required": False,
                                "schema": {"type": "string", "enum": ["gzip", "identity"]}}],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Report"}}}},
                "responses": {
                    "201": _ok("stored (a repeated report_id gets this same answer again)",
                               "UploadResponse"),
                    "400": _err("the body cannot be decoded: bad Content-Length, or not valid "
                                "(or truncated) gzip data"),
                    "401": _err("unknown device token (error 'unauthorized') or revoked one "
                                "(error 'token_revoked': enroll again)"),
                    "409": _err("the report's device fingerprint is not the token's device"),
                    "413": _err("body larger than max_report_bytes after decompression"),
                    "415": _err("unsupported Content-Encoding (use gzip or none)"),
                    "422": _err("not JSON or not a valid Report ('errors' lists locations), or "
                                "started_at too far ahead of the collector's clock or too old"),
                    "503": _err("overloaded; retry after the Retry-After header's seconds"),
                },
            }},
            "/api/v1/devices": {"get": {
                "summary": "Devices the signed-in user may see (their organisation and below)",
                "security": [{"session": []}],
                "parameters": [
                    {"name": "offset", "in": "query",
                     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET}},
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
                ],
                "responses": {
                    "200": _ok("count, offset and one page of devices", "DeviceList"),
                    "400": _err(f"offset not an integer 0..{MAX_OFFSET} or limit not an "
                                f"integer 1..{MAX_LIMIT}"),
                    "401": _err("not signed in"),
                },
            }},
            "/api/v1/devices/{device_id}": {"get": {
                "summary": "One device with its ledger fields and latest hardware",
                "security": [{"session": []}],
                "parameters": [{"name": "device_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {
                    "200": _ok("the device", "Device"),
                    "401": _err("not signed in"),
                    "404": _err("no such device, not visible to this user, or a device_id "
                                "that is not a decimal integer"),
                },
            }},
            "/api/v1/config": {"get": {
                "summary": "Settings the bureau pushes to the agent",
                "security": [{"deviceToken": []}],
                "responses": {
                    "200": _ok("effective settings (inherited from parent organisations)",
                               "AgentConfig"),
                    "401": _err("unknown or revoked device token"),
                },
            }},
            "/api/v1/signatures/latest": {"get": {
                "summary": "The newest signed signature bundle: version, sha256, size, "
                           "Ed25519 signature (base64) over the archive, download url",
                "security": [{"deviceToken": []}],
                "responses": {
                    "200": _ok("bundle metadata", "BundleInfo"),
                    "401": _err("unknown or revoked device token"),
                    "404": _err("no bundle has been published yet"),
                },
            }},
            "/api/v1/signatures/{version}/archive": {"get": {
                "summary": "The bundle archive (tar.gz with manifest.json); verify the "
                           "signature with the key given at enrollment before using it",
                "security": [{"deviceToken": []}],
                "parameters": [{"name": "version", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "archive bytes",
                            "content": {"application/gzip": {}}},
                    "401": _err("unknown or revoked device token"),
                    "404": _err("no such bundle version"),
                },
            }},
        },
    }


@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_spec(), json_dumps_params={"ensure_ascii": False})


@require_GET
def docs(request: HttpRequest) -> HttpResponse:
    spec = openapi_spec()
    return render(request, "web/api_docs.html", {
        "spec": spec,
        "spec_json": json.dumps(spec, ensure_ascii=False, indent=2),
        "operations": [
            {"path": p, "method": m.upper(), **op}
            for p, methods in spec["paths"].items() for m, op in methods.items()
        ],
    })
