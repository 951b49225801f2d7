"""Spool and uploader against a scripted collector on loopback (real HTTP, real files)."""

from __future__ import annotations

import json
import random
import socket
import uuid

import pytest

from agent.config import ServerConfig
from agent.transport.client import CollectorClient, parse_retry_after
from agent.transport.spool import Spool
from agent.transport.uploader import RetryPolicy, flush
from tests.agent.fake_collector import FakeCollector
from tests.collector.factories import make_report


def _report(size_pad: int = 0, findings: int = 0) -> tuple[str, bytes]:
    """A valid report (the fake collector refuses others with 422, like the real one)."""
    report = make_report(seed=uuid.uuid4().hex, findings=findings, processes=3)
    body = report.model_dump(mode="json")
    body["utilization"]["cpu_series"] = [float(i % 100) for i in range(size_pad)]
    for finding in body["findings"]:
        finding["evidence"] = ["x" * 50] * 10
    return body["report_id"], json.dumps(body).encode()


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(url: str) -> CollectorClient:
    return CollectorClient(ServerConfig(url=url, connect_timeout=2, read_timeout=5), "tok")


def test_spool_writes_atomically_and_lists_oldest_first(tmp_path):
    spool = Spool(tmp_path)
    ids = [spool.put(*_report()).report_id for _ in range(3)]
    assert [i.report_id for i in spool.items()] == ids
    assert not list(spool.pending.glob(".tmp-*"))


def test_spool_bounds_drop_oldest_and_count_them(tmp_path):
    spool = Spool(tmp_path, max_reports=3)
    ids = [spool.put(*_report()).report_id for _ in range(5)]
    assert [i.report_id for i in spool.items()] == ids[2:]
    assert spool.dropped == 2


def test_flush_sends_everything_once_and_reports_drops(tmp_path):
    spool = Spool(tmp_path, max_reports=2)
    for _ in range(3):
        spool.put(*_report())
    with FakeCollector() as fake:
        result = flush(spool, _client(fake.url), sleep=Sleeps())
    assert result.ok and len(result.sent) == 2
    assert set(fake.stored) == set(result.sent)
    first = fake.stored[result.sent[0]]
    assert first["dropped_reports"] == 1
    assert spool.items() == [] and spool.dropped == 0


def test_retry_after_is_honoured_then_sent(tmp_path):
    spool = Spool(tmp_path)
    rid, body = _report()
    spool.put(rid, body)
    sleeps = Sleeps()
    with FakeCollector() as fake:
        fake.script.extend([(503, {"Retry-After": "7"}), (500, {})])
        result = flush(spool, _client(fake.url), sleep=sleeps, rng=random.Random(1))
    assert result.sent == [rid]
    assert sleeps[0] >= 7  # the collector's Retry-After wins over a shorter backoff
    assert [r[1] for r in fake.requests] == [503, 500, 201]


def test_413_sends_a_trimmed_report_that_says_what_was_trimmed(tmp_path):
    spool = Spool(tmp_path)
    rid, body = _report(size_pad=20000, findings=60)
    spool.put(rid, body)
    with FakeCollector() as fake:
        fake.max_body = len(body) // 3  # only a trimmed (still valid) report fits
        result = flush(spool, _client(fake.url), sleep=Sleeps())
    assert result.sent == [rid]
    stored = fake.stored[rid]
    assert "utilization.series" in stored["trimmed"]
    assert fake.requests[-1][2] <= fake.max_body  # the bytes the trimmed upload sent


def test_permanent_4xx_moves_to_rejected_with_reason(tmp_path):
    spool = Spool(tmp_path)
    rid, body = _report()
    spool.put(rid, body)
    with FakeCollector() as fake:
        fake.script.append((422, {}))
        result = flush(spool, _client(fake.url), sleep=Sleeps())
    assert result.rejected == [rid] and spool.items() == []
    reasons = list(spool.rejected.glob("*.reason.txt"))
    assert reasons and "422" in reasons[0].read_text()


def test_the_fake_answers_like_the_collector(tmp_path):
    """201 `accepted` (an UploadAnswer), the same answer again for a repeated report_id with
    X-Minecheck-Duplicate, and 422 with an Error body for a body that is not a Report."""
    import requests

    from agent.wire.api import Error, UploadAnswer

    rid, body = _report()
    with FakeCollector() as fake:
        url = fake.url + "/api/v1/reports"
        first = requests.post(url, data=body, timeout=5)
        again = requests.post(url, data=body, timeout=5)
        bad = requests.post(url, data=b'{"report_id": "x"}', timeout=5)
    assert first.status_code == 201 and "X-Minecheck-Duplicate" not in first.headers
    answer = UploadAnswer.model_validate(first.json())
    assert answer.status == "accepted" and str(answer.report_id) == rid
    assert again.status_code == 201 and again.headers["X-Minecheck-Duplicate"] == "1"
    assert again.json() == first.json()
    assert bad.status_code == 422 and Error.model_validate(bad.json()).error == "invalid_report"


def test_unauthorized_keeps_the_report(tmp_path):
    spool = Spool(tmp_path)
    spool.put(*_report())
    with FakeCollector() as fake:
        fake.script.append((401, {}))
        result = flush(spool, _client(fake.url), sleep=Sleeps())
    assert result.unauthorized and len(spool.items()) == 1


def test_collector_down_keeps_everything(tmp_path):
    spool = Spool(tmp_path)
    spool.put(*_report())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    policy = RetryPolicy(attempts=3, base_delay=0.01)
    result = flush(spool, _client(f"http://127.0.0.1:{port}"), policy=policy, sleep=Sleeps())
    assert not result.ok and result.remaining == 1 and len(spool.items()) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (None, None), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=1445412480.0 + 0) == expected


def test_a_500_on_one_report_does_not_block_the_ones_behind_it(tmp_path):
    """Issue 12 item 6: a report the collector fails on stays spooled; the others go."""
    spool = Spool(tmp_path)
    ids = [spool.put(*_report()).report_id for _ in range(4)]
    with FakeCollector() as fake:
        fake.script.extend([(500, {}), (500, {})])  # tried twice, then left for later
        policy = RetryPolicy(base_delay=0.01, max_delay=0.01)
        result = flush(spool, _client(fake.url), policy=policy, sleep=Sleeps())
        assert result.sent == ids[1:] and result.failed == [ids[0]]
        assert result.remaining == 1 and not result.ok and "500" in result.last_error
        assert [i.report_id for i in spool.items()] == [ids[0]]
        again = flush(spool, _client(fake.url), sleep=Sleeps())
    assert again.ok and again.sent == [ids[0]]
    assert set(fake.stored) == set(ids)


def test_a_503_still_stops_the_run_and_keeps_everything(tmp_path):
    spool = Spool(tmp_path)
    for _ in range(3):
        spool.put(*_report())
    policy = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.01)
    with FakeCollector() as fake:
        fake.script.extend([(503, {})] * 2)
        result = flush(spool, _client(fake.url), policy=policy, sleep=Sleeps())
    assert result.sent == [] and result.remaining == 3 and len(fake.requests) == 2
