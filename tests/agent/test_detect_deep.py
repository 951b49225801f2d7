"""--deep folder scan, the hidden-process cross-view and the no-root limitation."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from agent.collectors.base import ScanContext, ScanOptions
from agent.detect.engine import DetectionSettings, new_run, run_detection
from agent.detect.scan_memory import scan_process_memory
from agent.detect.scanners import yara_folders
from agent.platform.linux import crossview
from agent.wire.report import ProcessUsage, Strength, Utilization
from tests.fixtures.miners import launch
from tests.fixtures.miners.bundles import detection_bundle

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux /proc needed")


def test_deep_scan_finds_a_miner_binary_at_rest(tmp_path):
    drop = tmp_path / ".ICE-unix" / "kdevtmpfsi"
    drop.parent.mkdir()
    launch.write_fake_elf(drop)
    (tmp_path / "notes.md").write_text("xmrig --donate-level 1 cpu-max-threads-hint\n")
    (tmp_path / "script.py").write_bytes((launch.FAKE_MINER).read_bytes())  # source, no ELF
    settings = DetectionSettings(deep_folders=[str(tmp_path)])
    findings = yara_folders.run(
        new_run(detection_bundle(), settings, deadline=time.monotonic() + 30)
    )
    assert [f.subject.file for f in findings] == [str(drop)]
    assert findings[0].strength == Strength.weak and findings[0].kind == "yara_file_at_rest"


def test_thread_ids_are_not_hidden_processes():
    stop = threading.Event()
    threads = [threading.Thread(target=stop.wait) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        assert crossview.hidden_pids() == []
    finally:
        stop.set()


def test_a_pid_missing_from_the_listing_is_reported(monkeypatch):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        real = crossview._listed
        monkeypatch.setattr(crossview, "_listed", lambda p: real(p) - {proc.pid})
        assert proc.pid in crossview.hidden_pids()
    finally:
        launch.stop(proc)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to another user")
def test_memory_scan_without_rights_reports_permission():
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the forked child
        try:
            os.setgid(65534)
            os.setuid(65534)
            os.write(write_end, str(scan_process_memory(1, None, None).error).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child, 0)
    with os.fdopen(read_end) as fh:
        assert fh.read() == "permission"
    assert scan_process_memory(2**22 + 7, None, None).error == "gone"


def test_memory_limitation_is_recorded(monkeypatch):
    from agent.detect import scan_memory
    from agent.detect.scanners import yara_memory

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        monkeypatch.setattr(
            yara_memory,
            "scan_process_memory",
            lambda pid, *a, **k: scan_memory.MemoryResult(pid, error="permission"),
        )
        ctx = ScanContext(options=ScanOptions(time_budget_seconds=20))
        util = Utilization(
            window_seconds=1,
            samples=2,
            top_processes=[
                ProcessUsage(pid=proc.pid, name="python", cpu_percent=90, cpu_seconds=0.9)
            ],
        )
        run_detection(
            ctx,
            detection_bundle(),
            util,
            DetectionSettings(root="/nonexistent", pids={proc.pid}, dns_cache=lambda: {}),
        )
    finally:
        launch.stop(proc)
    assert any("administrator/root" in t.en for t in ctx.limitations)


def test_another_instance_of_the_frozen_agent_is_not_reported(tmp_path, monkeypatch):
    agent_exe = launch.copy_interpreter(tmp_path / "minecheck")
    code = "import time\nS = 'cpu-max-threads-hint randomx-1gb-pages'\ntime.sleep(30)\n"
    proc = launch.spawn([agent_exe, "-c", code, "-o", "stratum+tcp://127.0.0.1:1", "-u", "w"])
    try:
        time.sleep(0.3)
        settings = {"root": "/nonexistent", "pids": {proc.pid}, "dns_cache": lambda: {}}
        ctx = ScanContext(options=ScanOptions(time_budget_seconds=20))
        before = run_detection(ctx, detection_bundle(), None, DetectionSettings(**settings))
        assert "miner_cmdline" in {f.kind for f in before}
        monkeypatch.setattr(sys, "frozen", True, raising=False)
        monkeypatch.setattr(sys, "executable", agent_exe)
        after = run_detection(ctx, detection_bundle(), None, DetectionSettings(**settings))
    finally:
        launch.stop(proc)
    # Not scanned, but listed so that a person can see what was skipped.
    assert [(f.kind, f.strength, f.subject.pid) for f in after] == [
        ("other_agent_instance", Strength.info, proc.pid)
    ]


def test_deleted_program_vs_program_replaced_by_an_update():
    import shutil
    import tempfile
    from pathlib import Path

    home = Path(tempfile.mkdtemp(prefix="minecheck-test-", dir=os.path.expanduser("~")))
    procs = []
    try:
        gone, updated = home / "gone-tool", home / "updated-tool"
        for path in (gone, updated):
            shutil.copy2("/bin/sleep", path)
            procs.append(subprocess.Popen([str(path), "30"]))
        time.sleep(0.2)
        gone.unlink()
        updated.unlink()
        shutil.copy2("/bin/sleep", updated)  # what a package upgrade does
        settings = DetectionSettings(
            root="/nonexistent", pids={p.pid for p in procs}, dns_cache=lambda: {}
        )
        findings = run_detection(ScanContext(), detection_bundle(), None, settings)
    finally:
        launch.stop(*procs)
        shutil.rmtree(home, ignore_errors=True)
    deleted = [f for f in findings if f.kind == "deleted_executable"]
    assert [f.subject.pid for f in deleted] == [procs[0].pid]


def test_running_out_of_time_is_a_timeout_that_makes_the_verdict_incomplete(monkeypatch):
    from agent.detect import engine
    from agent.detect.completeness import missing_checks

    clock = iter(range(0, 10_000, 7))  # every look at the clock is 7 s later
    monkeypatch.setattr(engine.time, "monotonic", lambda: float(next(clock)))
    ctx = ScanContext(options=ScanOptions(time_budget_seconds=10))
    run_detection(
        ctx,
        detection_bundle(),
        None,
        DetectionSettings(root="/nonexistent", pids={os.getpid()}, dns_cache=lambda: {}),
    )
    timeouts = [e for e in ctx.errors if e.kind == "timeout"]
    assert timeouts and "time limit of 10 s" in timeouts[0].message.en
    assert any("ran out of time" in t.en for t in missing_checks(ctx.errors, detection_bundle()))


def test_files_in_the_agents_own_home_are_never_findings(tmp_path, monkeypatch):
    """The agent keeps samples of what it found (rejected spool, quarantined reports) in its
    home; a deep scan of a folder holding that home must not flag them (it used to: the home
    was never counted as the agent's own)."""
    home = tmp_path / "minecheck-home"
    monkeypatch.setenv("MINECHECK_HOME", str(home))
    kept = home / "spool" / "rejected" / "xmrig"
    kept.parent.mkdir(parents=True)
    launch.write_fake_elf(kept)
    dropped = tmp_path / ".cache" / "kdevtmpfsi"
    dropped.parent.mkdir()
    launch.write_fake_elf(dropped)
    settings = DetectionSettings(deep_folders=[str(tmp_path)])
    findings = yara_folders.run(
        new_run(detection_bundle(), settings, deadline=time.monotonic() + 30)
    )
    assert [f.subject.file for f in findings] == [str(dropped)]
