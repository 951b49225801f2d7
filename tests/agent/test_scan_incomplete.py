"""A scan whose detection did not fully run is `incomplete`, never `clean` (issue 11, item 1).

Each test breaks one thing the verdict depends on (an import, the compiled rules, a scanner
that raises or runs out of time) and runs the real pipeline with the real engine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import agent.bundle.loader as loader
import agent.detect.engine as engine
from agent.bundle.files import sha256
from agent.cli import main
from agent.collectors.base import ScanOptions
from agent.detect import scanners
from agent.detect.findings import make_finding
from agent.scan import build_report
from agent.transport import credentials
from agent.wire.report import Report, Strength, Subject, VerdictStatus

ROOT = Path(__file__).resolve().parents[2]


def _assert_incomplete(report: Report, *words: str) -> None:
    """`incomplete`, naming what did not run. These tests scan the whole machine: where a
    miner really runs on it (another checkout's tests start miner-like processes), strong
    evidence rightly gives `mining`, still with the list of what did not run."""
    strong = [f for f in report.findings if f.strength == Strength.strong]
    if report.verdict.status == VerdictStatus.mining and strong:
        pass
    else:
        assert report.verdict.status == VerdictStatus.incomplete, report.verdict
    texts = [x.en for x in report.verdict.incomplete]
    assert texts, "an incomplete verdict names what did not run"
    for word in words:
        assert any(word in t for t in texts), texts
    assert all(x.zh and x.zh != x.en for x in report.verdict.incomplete)


def test_a_connection_scanner_that_raises_makes_the_verdict_incomplete(monkeypatch):
    def broken(*a, **k):
        raise OSError(13, "psutil.net_connections: access denied by policy")

    monkeypatch.setattr(scanners.by_name("connections"), "run", broken)
    report = build_report(ScanOptions(sample_seconds=0))
    _assert_incomplete(report, "network connections", "failed")
    assert any(e.collector == "connections" for e in report.errors)


def test_a_failing_process_list_makes_the_verdict_incomplete(monkeypatch):
    def broken(own, deadline=None):
        raise RuntimeError("process table unreadable")

    monkeypatch.setattr(engine, "snapshot", broken)
    report = build_report(ScanOptions(sample_seconds=0))
    _assert_incomplete(report, "running processes")


def test_a_failing_memory_yara_scan_makes_the_verdict_incomplete(monkeypatch):
    def broken(*a, **k):
        raise MemoryError("yara: could not map the process memory")

    monkeypatch.setattr(scanners.by_name("yara_memory"), "run", broken)
    report = build_report(ScanOptions(sample_seconds=0))
    _assert_incomplete(report, "YARA scan of process memory")


def test_a_scanner_that_runs_out_of_time_makes_the_verdict_incomplete(monkeypatch):
    configs = scanners.by_name("miner_configs")
    real = configs.run

    def slow(*a, **k):
        time.sleep(0.6)
        return real(*a, **k)

    monkeypatch.setattr(engine, "MIN_TIME_BUDGET_S", 0.3)
    monkeypatch.setattr(configs, "run", slow)
    report = build_report(ScanOptions(sample_seconds=0, time_budget_seconds=0))
    _assert_incomplete(report, "ran out of time", "time limit")
    assert any(e.kind == "timeout" for e in report.errors)


def corrupted_signatures(folder: Path) -> Path:
    """A copy of the shipped signatures whose memory rules no longer compile (the manifest
    agrees with the files, so only YARA fails: a damaged install or a bad build)."""
    sig = folder / "signatures"
    shutil.copytree(ROOT / "signatures", sig, ignore=shutil.ignore_patterns("__pycache__"))
    rule = sorted((sig / "yara" / "memory").glob("*.yar"))[0]
    rule.write_bytes(rule.read_bytes()[:200] + b"\n rule broken { condition: \n")
    manifest = json.loads((sig / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][rule.relative_to(sig).as_posix()] = sha256(rule.read_bytes())
    (sig / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return sig


def test_corrupted_rules_make_the_verdict_incomplete(monkeypatch, tmp_path):
    sig = corrupted_signatures(tmp_path)
    monkeypatch.setenv(loader.ENV_BUILTIN, str(sig))
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path / "home"))

    report = build_report(ScanOptions(sample_seconds=0))
    _assert_incomplete(report, "signature bundle")
    assert report.signatures.version == "0"
    assert any("does not compile" in x.en for x in report.limitations)
    assert any(loader.ENV_BUILTIN in x.en for x in report.limitations)


def test_a_miner_found_is_mining_even_when_another_scanner_failed(monkeypatch):
    """Lead's decision: strong evidence gives `mining`; what did not run is still listed."""

    def strong(p, bundle):
        if p.pid != os.getpid() and p.pid == min_pid[0]:
            return [
                make_finding(
                    "pool_connection",
                    Strength.strong,
                    "Connection to a mining pool",
                    "End the process.",
                    subject=Subject(pid=p.pid, process_name=p.name),
                    rule="pool:test",
                )
            ]
        return []

    min_pid = [0]
    real_snapshot = engine.snapshot

    def snap(own, deadline=None):
        procs = real_snapshot(own, deadline)
        min_pid[0] = min(p.pid for p in procs)
        return procs

    def broken(*a, **k):
        raise OSError("netlink socket refused")

    monkeypatch.setattr(engine, "snapshot", snap)
    monkeypatch.setattr(
        scanners.by_name("command_lines"),
        "run",
        lambda run: [f for p in run.procs for f in strong(p, run.bundle)],
    )
    monkeypatch.setattr(scanners.by_name("connections"), "run", broken)
    report = build_report(ScanOptions(sample_seconds=0))
    assert report.verdict.status == VerdictStatus.mining
    assert any("network connections" in x.en for x in report.verdict.incomplete)


def test_incomplete_is_exit_2_and_said_first(monkeypatch, tmp_path, capsys):
    def broken(*a, **k):
        raise OSError("netlink socket refused")

    monkeypatch.setattr(scanners.by_name("connections"), "run", broken)
    out = tmp_path / "r.json"
    rc = main(["--lang", "zh", "scan", "--sample-seconds", "0", "--json", str(out)])
    assert rc == 2
    text = capsys.readouterr().out
    result_line = next(line for line in text.splitlines() if line.startswith("["))
    assert "检查未完成" in result_line
    assert text.index("检查未完成") < text.index("网络连接")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["verdict"]["status"] == "incomplete"


def _broken_yara_dir(tmp_path: Path) -> Path:
    """A `yara` module that fails to import, as when libyara's DLL is missing."""
    folder = tmp_path / "broken-yara"
    folder.mkdir()
    (folder / "yara.py").write_text(
        'raise ImportError("DLL load failed while importing yara: the module was not found")\n',
        encoding="utf-8",
    )
    return folder


def _minecheck(args: list[str], home: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(
        MINECHECK_HOME=str(home),
        PYTHONPATH=os.pathsep.join([str(pythonpath), str(ROOT)]),
        MINECHECK_LANG="en",
    )
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        cwd=ROOT,
    )


@pytest.mark.slow
def test_without_yara_the_scan_is_an_error_never_clean(tmp_path):
    out = tmp_path / "r.json"
    proc = _minecheck(
        ["scan", "--sample-seconds", "0", "--json", str(out)],
        tmp_path / "home",
        _broken_yara_dir(tmp_path),
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "did not finish the check" in proc.stderr and "yara" in proc.stderr
    assert not out.exists()  # no report that could be read as clean


@pytest.mark.slow
def test_run_once_exits_non_zero_when_the_scan_errored(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    # Enrolled with a collector that is not there: the scan itself is what fails.
    credentials.save(
        home,
        credentials.Credentials(server_url="http://127.0.0.1:9", device_token="t", device_id="1"),
    )
    proc = _minecheck(["run", "--once"], home, _broken_yara_dir(tmp_path))
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "not enrolled" not in proc.stderr
