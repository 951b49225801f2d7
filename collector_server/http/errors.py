"""The JSON error body of every API answer, and the Bearer token of a request."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from agent.wire.api import Error


def error(status: int, code: str, detail: str, **extra) -> JsonResponse:
    response = JsonResponse(
        Error(error=code, detail=detail, **extra).json_body(),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="minecheck"'
    return response


def bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""
