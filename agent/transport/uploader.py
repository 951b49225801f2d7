"""Send the spooled reports, oldest first, until the spool is empty or the collector is away.

Retries use exponential backoff with full jitter and honour ``Retry-After``; a 413 is
answered with a trimmed report; a report the collector can never accept moves to
``rejected/`` with the reason; a token problem stops the run and keeps everything.
A 500 that repeats on one report keeps that report spooled and goes on with the others
behind it; only
an unreachable or overloaded collector (network error, 502/503/504, 408/429) stops the run.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agent.transport.client import Answer, CollectorClient, Outcome
from agent.transport.problems import describe
from agent.transport.spool import Spool, SpooledReport
from agent.transport.trim import trim

log = logging.getLogger(__name__)


@dataclass
class RetryPolicy:
    attempts: int = 5
    report_attempts: int = 2  # tries of one report the collector answers with a 500
    base_delay: float = 1.0
    max_delay: float = 300.0
    deadline_seconds: float = 600.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Full-jitter exponential backoff; a Retry-After from the collector wins when longer."""
        backoff = rng.uniform(0, min(self.max_delay, self.base_delay * 2**attempt))
        if retry_after is not None:
            return min(max(backoff, retry_after), self.max_delay)
        return backoff


COLLECTOR_AWAY = frozenset({408, 425, 429, 502, 503, 504})  # not about this one report


def _report_specific_failure(answer: Answer) -> bool:
    """A server error the collector answered for this report (not a sign it is away)."""
    return (
        answer.outcome is Outcome.retry
        and answer.status is not None
        and answer.status not in COLLECTOR_AWAY
    )


@dataclass
class FlushResult:
    sent: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # 5xx on this report: kept, tried next run
    remaining: int = 0
    last_error: str | None = None
    unauthorized: bool = False
    revoked: bool = False  # the collector says the device token was revoked

    @property
    def ok(self) -> bool:
        return self.remaining == 0 and not self.unauthorized


def _with_dropped(body: bytes, dropped: int) -> bytes:
    if not dropped:
        return body
    report = json.loads(body)
    report["dropped_reports"] = int(report.get("dropped_reports", 0)) + dropped
    return json.dumps(report, ensure_ascii=False).encode("utf-8")


def _send_one(
    client: CollectorClient,
    item: SpooledReport,
    dropped: int,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    rng: random.Random,
    deadline: float,
) -> Answer:
    body = _with_dropped(item.path.read_bytes(), dropped)
    level = 0
    attempt = failures = 0
    while True:
        answer = client.upload(body)
        if answer.outcome is Outcome.too_large:
            level += 1
            trimmed = trim(body, level)
            if trimmed is None:
                return Answer(Outcome.rejected, 413, None, "too large even after trimming")
            body, parts = trimmed
            log.info("report %s too large; trimmed %s", item.report_id, ", ".join(parts))
            continue
        if answer.outcome is not Outcome.retry:
            return answer
        attempt += 1
        if _report_specific_failure(answer):
            failures += 1
            if failures >= policy.report_attempts:
                return answer
        if attempt >= policy.attempts or time.monotonic() >= deadline:
            return answer
        wait = policy.delay(attempt, answer.retry_after, rng)
        if time.monotonic() + wait > deadline:
            return answer
        log.info("upload of %s: %s; retrying in %.1fs", item.report_id, answer.message, wait)
        sleep(wait)


def flush(
    spool: Spool,
    client: CollectorClient,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> FlushResult:
    policy = policy or RetryPolicy()
    rng = rng or random.Random()
    deadline = time.monotonic() + policy.deadline_seconds
    result = FlushResult()
    items = spool.items()
    for index, item in enumerate(items):
        dropped = spool.dropped
        try:
            answer = _send_one(client, item, dropped, policy, sleep, rng, deadline)
        except FileNotFoundError:
            continue  # another uploader took it
        except ValueError as exc:  # unreadable JSON in the spool: never silently dropped
            spool.reject(item, f"corrupt spool file: {exc}")
            result.rejected.append(item.report_id)
            continue
        if answer.outcome is Outcome.acked:
            spool.ack(item)
            if dropped:
                spool.clear_dropped(dropped)
            result.sent.append(item.report_id)
        elif answer.outcome is Outcome.rejected:
            spool.reject(item, f"HTTP {answer.status}: {answer.message}")
            result.rejected.append(item.report_id)
        elif _report_specific_failure(answer):
            log.warning(
                "upload of %s: HTTP %s %s; kept for the next run",
                item.report_id,
                answer.status,
                answer.message,
            )
            result.failed.append(item.report_id)
            result.last_error = describe(answer, client.base)
        else:
            log.info(
                "upload of %s stopped: HTTP %s %s", item.report_id, answer.status, answer.message
            )
            result.last_error = describe(answer, client.base)
            result.unauthorized = answer.outcome is Outcome.unauthorized
            body = answer.body if isinstance(answer.body, dict) else {}
            result.revoked = body.get("error") == "token_revoked"
            result.remaining = len(items) - index
            return result
    result.remaining = len(spool.items())
    return result
