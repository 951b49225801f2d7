"""A scripted collector on loopback for transport tests: answers uploads with the statuses
it is told to, stores what it accepted by report_id (idempotently), records every request.

It answers like the real collector (collector_server/reports/api.py), with the same wire
models (agent.wire.api) and statuses: 201 with an UploadAnswer (`"status": "accepted"`),
the same answer again with `X-Minecheck-Duplicate: 1` for a repeated report_id, 422 for a
body that is not a valid Report, and the Error body for every scripted error status."""

from __future__ import annotations

import gzip
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pydantic import ValidationError

from agent.wire.api import Error, ErrorItem, UploadAnswer
from agent.wire.checks import WIRE
from agent.wire.enroll import describe_errors
from agent.wire.report import Report

ACCEPTED = 201
ERROR_CODES = {
    400: "bad_body",
    401: "unauthorized",
    409: "fingerprint_mismatch",
    413: "too_large",
    422: "invalid_report",
    500: "server_error",
    503: "busy",
}


class FakeCollector:
    def __init__(self) -> None:
        self.script: deque[tuple[int, dict[str, str]]] = deque()
        self.stored: dict[str, dict] = {}
        self.requests: list[tuple[str, int, int]] = []  # (path, status, body size)
        self.max_body: int | None = None
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                if self.headers.get("Content-Encoding") == "gzip":
                    raw = gzip.decompress(raw)
                status, headers = outer.next_answer(len(raw))
                headers = dict(headers)
                if status == ACCEPTED:
                    status, body = outer.accept(raw, headers)
                else:
                    body = Error(
                        error=ERROR_CODES.get(status, "error"),
                        detail=f"scripted {status}",
                        max_bytes=outer.max_body if status == 413 else None,
                    )
                body_bytes = json.dumps(body.json_body()).encode()
                with outer.lock:
                    outer.requests.append((self.path, status, len(raw)))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body_bytes)))
                self.end_headers()
                self.wfile.write(body_bytes)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def next_answer(self, size: int) -> tuple[int, dict[str, str]]:
        with self.lock:
            if self.max_body is not None and size > self.max_body:
                return 413, {}
            return self.script.popleft() if self.script else (ACCEPTED, {})

    def accept(self, raw: bytes, headers: dict[str, str]) -> tuple[int, Error | UploadAnswer]:
        """Validate and store one report like the collector: (status, answer)."""
        try:
            report = Report.model_validate_json(raw, context=WIRE)
        except ValidationError as exc:
            summary, items = describe_errors(exc)
            return 422, Error(
                error="invalid_report", detail=summary, errors=[ErrorItem(**i) for i in items]
            )
        answer = UploadAnswer(
            report_id=report.report_id,
            device_id=1,
            verdict=report.verdict.status.value,
            findings=len(report.findings),
        )
        with self.lock:
            if str(report.report_id) in self.stored:
                headers["X-Minecheck-Duplicate"] = "1"
            self.stored.setdefault(str(report.report_id), json.loads(raw))
        return ACCEPTED, answer

    def __enter__(self) -> FakeCollector:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
