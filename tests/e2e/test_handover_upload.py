"""Reports from the real agent reach the real collector exactly once: normal upload, an
outage, the agent killed mid-upload, the collector killed mid-request, a faulty network."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from tests.e2e.conftest import Agent, Collector
from tests.e2e.fault_proxy import Faults

pytestmark = pytest.mark.slow
WALLET = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"  # noqa: E501


def _assert_exactly_once(collector: Collector, ids: list[str]) -> None:
    stored = Counter(collector.report_ids())
    assert {i: stored[i] for i in ids} == dict.fromkeys(ids, 1)
    assert not [i for i, n in stored.items() if n > 1], "a report was stored twice"


def _spool_copies(agent: Agent, n: int) -> list[str]:
    """N more realistic reports in the spool: copies of a real scan with new report ids."""
    import uuid

    from agent.transport.spool import Spool

    agent.scan("--json", str(agent.home / "base.json"))
    base = json.loads((agent.home / "base.json").read_text())
    spool = Spool(agent.home / "spool")
    ids = []
    for _ in range(n):
        base["report_id"] = str(uuid.uuid4())
        spool.put(base["report_id"], json.dumps(base).encode())
        ids.append(base["report_id"].replace("-", ""))
    return ids


def test_enroll_scan_upload_puts_the_device_in_the_ledger(collector, agent, tmp_path):
    # A harmless stand-in for a miner: a copy of Python named xmrig with a pool command line.
    fake = tmp_path / "xmrig"
    shutil.copy(sys.executable, fake)
    miner = subprocess.Popen(
        [
            str(fake),
            "-c",
            "import time; time.sleep(120)",
            "--url",
            "stratum+tcp://pool.supportxmr.com:3333",
            "--user",
            WALLET,
            "--pass",
            "x",
        ],
        cwd=tmp_path,
    )
    try:
        result = agent.scan("--upload", "--json", str(agent.home / "report.json"))
    finally:
        miner.kill()
        miner.wait(10)
    report = json.loads((agent.home / "report.json").read_text())
    assert report["verdict"]["status"] == "mining" and result.returncode == 1
    assert agent.pending() == [], result.stderr
    rid = report["report_id"].replace("-", "")
    _assert_exactly_once(collector, [rid])
    ((device_id, findings, verdict),) = collector.query(
        "SELECT device_id, finding_count, verdict FROM ingest_report WHERE report_id = ?", rid
    )
    assert verdict == "mining" and findings == len(report["findings"]) > 0
    kinds = collector.query(
        "SELECT kind, subject FROM ingest_finding WHERE report_id IN "
        "(SELECT id FROM ingest_report WHERE report_id = ?)",
        rid,
    )
    assert len(kinds) == findings
    assert any(
        kind == "miner_cmdline" and f"pid {miner.pid}" in subject for kind, subject in kinds
    ), kinds
    ((hostname, cpu, hardware, location, sigver, fingerprint, last),) = collector.query(
        "SELECT hostname, cpu_model, hardware, location, signature_version, fingerprint, "
        "last_verdict FROM ledger_device WHERE id = ?",
        device_id,
    )
    assert hostname == report["device"]["hostname"] and last == "mining"
    assert fingerprint == report["device"]["fingerprint"]
    assert location == "机房 101"
    assert sigver == report["signatures"]["version"]
    assert json.loads(hardware)["memory"]["total_mb"] == report["hardware"]["memory"]["total_mb"]
    if report["hardware"].get("cpu"):
        assert cpu == report["hardware"]["cpu"]["brand"]


def test_outage_spools_and_every_report_arrives_once_after(collector, agent):
    collector.stop()
    try:
        scans = [
            agent.popen("scan", "--sample-seconds", "0", "--quiet", "--upload") for _ in range(5)
        ]
        for proc in scans:
            proc.communicate(timeout=180)
            assert proc.returncode in (0, 1)
        ids = agent.pending_ids()
        assert len(ids) == 5
        assert not set(ids) & set(collector.report_ids())
    finally:
        collector.start()
    assert agent.upload_until_empty() == 1
    _assert_exactly_once(collector, ids)
    before = len(collector.report_ids())
    agent.run("upload", check_rc=(0,))
    assert len(collector.report_ids()) == before


def test_agent_killed_mid_upload_loses_and_duplicates_nothing(collector, agent):
    ids = _spool_copies(agent, 4)
    collector.proxy.configure(Faults(hold_response=2.0))  # a slow collector
    proc = agent.popen("upload")
    time.sleep(3.0)  # the first report is stored, its answer still held by the proxy
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert agent.pending(), "everything was acknowledged before the kill: test proves nothing"
    collector.proxy.configure(Faults())
    agent.upload_until_empty()
    _assert_exactly_once(collector, ids)
    assert agent.rejected() == []


def test_collector_killed_mid_request_loses_nothing(collector, agent):
    ids = _spool_copies(agent, 3)
    collector.proxy.configure(Faults(hold_response=3.0))
    proc = agent.popen("upload")
    time.sleep(1.5)  # a request is in flight: stored or not, its answer is held
    collector.stop(kill=True)
    collector.proxy.configure(Faults())
    collector.start()  # back while the agent is still retrying
    proc.communicate(timeout=300)
    if agent.pending():
        agent.upload_until_empty()
    _assert_exactly_once(collector, ids)
    assert agent.rejected() == []


def test_faulty_network_every_report_arrives_exactly_once(collector, agent):
    collector.proxy.configure(Faults(drop=0.25, truncate=0.25, delay=0.2, seed=20261123))
    ids: list[str] = []
    # How many connections the agent opens depends on keep-alive reuse, so keep sending
    # batches until both kinds of fault have hit at least once (bounded).
    for _ in range(6):
        ids += _spool_copies(agent, 6)
        agent.upload_until_empty(rounds=30)
        counters = collector.proxy.counters
        if counters.dropped and counters.truncated:
            break
    assert counters.dropped and counters.truncated, "the proxy injected no faults"
    _assert_exactly_once(collector, ids)
    assert agent.rejected() == []
