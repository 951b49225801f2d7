"""A scripted collector on loopback for transport tests: answers uploads with the statuses
it is told to, stores what it accepted by report_id (idempotently), records every request."""

from __future__ import annotations

import gzip
import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
                body = b"{}"
                if status == 200:
                    report = json.loads(raw)
                    with outer.lock:
                        outer.stored.setdefault(report["report_id"], report)
                    body = json.dumps({"status": "stored"}).encode()
                elif status >= 400:
                    body = json.dumps({"detail": f"scripted {status}"}).encode()
                with outer.lock:
                    outer.requests.append((self.path, status, len(raw)))
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

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
            return self.script.popleft() if self.script else (200, {})

    def __enter__(self) -> FakeCollector:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
