"""A miner started through wrappers (bash script -> timeout -> python3 miner) is one incident
with all its evidence, its config found once, and advice that never deletes system programs."""

from __future__ import annotations

import json
import os
import re
import shutil
import time

import psutil
import pytest

from agent.wire.report import Strength
from tests.fixtures.miners import launch
from tests.fixtures.miners.conftest_helpers import detect
from tests.fixtures.miners.pool import StratumPool

pytestmark = pytest.mark.skipif(
    not os.path.isdir("/proc") or not shutil.which("timeout") or not shutil.which("bash"),
    reason="Linux /proc, bash and timeout needed",
)

# "delete <a system program or interpreter>" in either language
_DELETES_SYSTEM = re.compile(
    r"(?i)(delete|删除)\s*(/usr/bin/|/bin/|/usr/sbin/|/sbin/|\S*python3|\S*/bash\b|bash\b|timeout\b)"
)


@pytest.fixture(scope="module")
def pool():
    with StratumPool() as p:
        yield p


@pytest.fixture
def wrapped_miner(pool, tmp_path):
    """``bash run.sh`` -> ``timeout`` -> ``python3 fake_miner.py --config cfg.json`` (plus a
    ``sleep`` child of bash), all working in the miner's folder; yields (bash, pids, folder)."""
    folder = tmp_path / "m"
    folder.mkdir()
    miner = shutil.copy(launch.FAKE_MINER, folder / "fake_miner.py")
    (folder / "cfg.json").write_text(
        json.dumps(
            {
                "donate-level": 1,
                "pools": [
                    {
                        "url": f"stratum+tcp://127.0.0.1:{pool.port}",
                        "user": launch.WALLET,
                        "pass": "x",
                        "keepalive": True,
                    }
                ],
            }
        )
    )
    (folder / "run.sh").write_text(
        f"sleep 120 &\ntimeout 120 {launch.PYTHON} {miner} --config cfg.json\n"
    )
    before = len(pool.log.logins)
    bash = launch.spawn(["bash", str(folder / "run.sh")], cwd=folder)
    try:
        launch.wait_logged_in(pool, before + 1)
        pids = _tree(bash.pid)
        yield bash.pid, pids, folder
    finally:
        for p in psutil.Process(bash.pid).children(recursive=True):
            p.kill()
        launch.stop(bash)


def _tree(root: int, timeout: float = 5.0) -> list[int]:
    """root and its children once all four processes run."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        kids = psutil.Process(root).children(recursive=True)
        if len(kids) >= 3:
            return [root, *(k.pid for k in kids)]
        time.sleep(0.05)
    raise AssertionError(f"wrapper tree did not start: {kids}")


def _miner_pid(pids: list[int]) -> int:
    """The python process itself (timeout's command line names the script too)."""
    return next(p for p in pids if psutil.Process(p).name().startswith("python"))


def test_advice_never_deletes_a_system_program_or_interpreter(wrapped_miner):
    _bash, pids, _folder = wrapped_miner
    util = launch.measure([_miner_pid(pids)], 0.5)
    findings, _verdict, _ctx = detect(pids, _folder.parent, util)
    assert findings
    for f in findings:
        for text in (f.action.en, f.action.zh):
            assert not _DELETES_SYSTEM.search(text), (f.kind, f.subject.pid, text)


def test_wrapped_miner_is_one_incident_with_all_its_evidence(wrapped_miner):
    from agent.detect.incidents import build_incidents

    bash, pids, folder = wrapped_miner
    miner = _miner_pid(pids)
    util = launch.measure([miner], 0.5)
    raw, _verdict, ctx = detect(pids, folder.parent, util)
    findings, incidents = build_incidents(raw, ctx.processes)

    assert len(incidents) == 1, [i.title.en for i in incidents]
    inc = incidents[0]
    assert inc.strength == Strength.strong
    assert inc.root_pid == bash
    assert miner in inc.pids and bash in inc.pids
    evidence = [
        i for i, f in enumerate(findings) if f.subject.pid in pids and f.strength != Strength.info
    ]
    assert sorted(inc.findings) == evidence
    kinds = {findings[i].kind for i in inc.findings}
    assert {"miner_config", "yara_memory"} <= kinds, kinds

    cfg = str(folder / "cfg.json")
    configs = [f for f in findings if f.kind == "miner_config" and f.subject.file == cfg]
    assert len(configs) == 1, [(f.subject.pid, f.subject.process_name) for f in configs]
    assert configs[0].subject.pid == miner
    assert len([f for f in raw if f.kind == "miner_config" and f.subject.file == cfg]) > 1

    assert inc.exe == str(folder / "fake_miner.py")
    assert cfg in inc.files
    assert inc.mode is not None and inc.mode_reason is not None
    assert "bash" in inc.action.en and str(bash) in inc.action.en
    assert "process tree" in inc.action.en and "进程树" in inc.action.zh
    assert cfg in inc.action.en
    for f in [*(findings[i] for i in inc.findings)]:
        assert not _DELETES_SYSTEM.search(f.action.en), (f.kind, f.action.en)
    assert not _DELETES_SYSTEM.search(inc.action.en) and not _DELETES_SYSTEM.search(inc.action.zh)


def test_unrelated_miners_stay_separate_incidents(pool, tmp_path):
    from agent.detect.incidents import build_incidents

    url = f"stratum+tcp://127.0.0.1:{pool.port}"
    before = len(pool.log.logins)
    procs = [
        launch.spawn([launch.PYTHON, str(launch.FAKE_MINER), "-o", url, "-u", launch.WALLET])
        for _ in range(2)
    ]
    try:
        launch.wait_logged_in(pool, before + 2)
        pids = [p.pid for p in procs]
        raw, _verdict, ctx = detect(pids, tmp_path, launch.measure(pids, 0.5))
        _findings, incidents = build_incidents(raw, ctx.processes)
        assert sorted(i.root_pid for i in incidents) == sorted(pids)
        assert all(i.exe == str(launch.FAKE_MINER) for i in incidents)
    finally:
        launch.stop(*procs)


def test_scan_report_html_and_terminal_show_one_incident(wrapped_miner, monkeypatch):
    import agent.scan
    from agent.collectors.base import ScanOptions
    from agent.detect.engine import DetectionSettings, run_detection
    from agent.report.html import render_html
    from agent.report.terminal import summary_text
    from tests.fixtures.miners.bundles import detection_bundle

    bash, pids, folder = wrapped_miner
    settings = DetectionSettings(root=str(folder.parent), pids=set(pids), dns_cache=lambda: {})
    monkeypatch.setattr(agent.scan, "load_bundle", detection_bundle)
    monkeypatch.setattr(
        agent.scan, "run_detection", lambda ctx, b, u: run_detection(ctx, b, u, settings)
    )
    report = agent.scan.build_report(ScanOptions(sample_seconds=0, time_budget_seconds=30))

    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_pid == bash and inc.exe == str(folder / "fake_miner.py")
    cfg = str(folder / "cfg.json")
    assert (
        len([f for f in report.findings if f.kind == "miner_config" and f.subject.file == cfg]) == 1
    )
    assert all(0 <= i < len(report.findings) for i in inc.findings)
    html = render_html(report, "zh")
    assert inc.title.zh in html and inc.action.zh in html.replace("&#39;", "'")
    text = summary_text(report, "en")
    assert inc.title.en in text
