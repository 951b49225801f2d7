"""Under /api/ every answer is JSON: Django's HTML 404/405/500 pages become JSON errors."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from agent.wire.api import Error

log = logging.getLogger("collector_server.api")

API_PREFIX = "/api/"
ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}
DETAILS = {
    404: "no such endpoint or object",
    405: "method not allowed here",
    500: "internal error; the collector's log has the details",
}


class ApiJsonErrorsMiddleware:
    """Turns non-JSON error answers and unhandled exceptions under /api/ into JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        return self._json(response.status_code, response)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        log.exception("unhandled error on %s %s", request.method, request.path)
        return self._json(500)

    @staticmethod
    def _json(status: int, original: HttpResponse | None = None) -> JsonResponse:
        code = ERROR_CODES.get(status, "error")
        answer = JsonResponse(
            Error(error=code, detail=DETAILS.get(status, code)).json_body(), status=status
        )
        if original is not None and original.has_header("Allow"):
            answer["Allow"] = original["Allow"]
        return answer
