"""HTTP client of the collector's agent API (requests): TLS on by default, CA bundle, proxy,
timeouts. It classifies answers; retry policy lives in :mod:`agent.transport.uploader`."""

from __future__ import annotations

import email.utils
import gzip
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import requests

from agent import __version__
from agent.config import ServerConfig
from agent.transport.problems import network_problem

API = "/api/v1"


class Outcome(str, Enum):
    acked = "acked"  # stored (or already stored: idempotent repeat)
    retry = "retry"  # try again later (network error, 5xx, 429, 503)
    too_large = "too_large"  # 413: send a trimmed report
    unauthorized = "unauthorized"  # 401/403: token problem, keep the report
    rejected = "rejected"  # other 4xx: can never succeed as it is


@dataclass
class Answer:
    outcome: Outcome
    status: int | None = None
    retry_after: float | None = None
    message: str = ""  # technical detail, for the log
    body: Any = None
    problem: str = ""  # why no usable answer came (see agent.transport.problems)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def classify(status: int) -> Outcome:
    if 200 <= status < 300:
        return Outcome.acked  # includes the idempotent repeat, which gets the first answer
    if status == 413:
        return Outcome.too_large
    if status in (401, 403):
        return Outcome.unauthorized
    if status in (408, 425, 429) or status >= 500:
        return Outcome.retry
    return Outcome.rejected


class CollectorClient:
    def __init__(self, server: ServerConfig, device_token: str | None = None) -> None:
        if not server.url:
            raise ValueError("no collector address configured")
        self.base = server.url.rstrip("/")
        self.token = device_token
        self.timeout = (server.connect_timeout, server.read_timeout)
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"minecheck-agent/{__version__}"
        if server.ca_bundle:
            self.session.verify = server.ca_bundle
        elif not server.verify_tls:
            self.session.verify = False
        if server.proxy:
            self.session.proxies = {"http": server.proxy, "https": server.proxy}

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    @staticmethod
    def answer_of(resp: requests.Response) -> Answer:
        """Classify an HTTP answer of the collector."""
        try:
            body = resp.json()
        except ValueError:
            body = None
        message = ""
        if isinstance(body, dict):
            message = str(body.get("detail") or body.get("error") or body.get("message") or "")
        if not message and resp.status_code >= 400:
            message = resp.text[:500]
        # A web server that is not the collector (a captive portal, a wrong port, a proxy's
        # error page) answers HTML: say so instead of a JSON error or "HTTP 404".
        problem = "" if isinstance(body, dict) or resp.status_code >= 500 else "not_collector"
        outcome = classify(resp.status_code)
        if problem and outcome is Outcome.acked:
            outcome = Outcome.retry  # a 200 from something else never acknowledges a report
        return Answer(
            outcome,
            resp.status_code,
            parse_retry_after(resp.headers.get("Retry-After")),
            message,
            body,
            problem,
        )

    def _request(self, method: str, path: str, **kwargs: Any) -> Answer:
        try:
            resp = self.session.request(
                method, self.base + API + path, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            return Answer(
                Outcome.retry,
                None,
                None,
                f"{type(exc).__name__}: {exc}",
                problem=network_problem(exc),
            )
        return self.answer_of(resp)

    def enroll(self, payload: dict[str, Any]) -> Answer:
        return self._request("POST", "/enroll", json=payload)

    def upload(self, report_json: bytes) -> Answer:
        headers = {
            **self._headers(),
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        }
        return self._request(
            "POST", "/reports", data=gzip.compress(report_json, 6), headers=headers
        )

    def config(self) -> Answer:
        return self._request("GET", "/config", headers=self._headers())
