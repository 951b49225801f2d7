"""The supervisor stops real workers that exceed their memory or CPU budget."""

from __future__ import annotations

import sys

from agent.config import ScheduleConfig
from agent.runner.budget import Budget, watch, worker_command
from agent.runner.loop import scan_args

PY = sys.executable


def test_worker_within_budget_returns_its_exit_code():
    result = watch([PY, "-c", "import sys; sys.exit(3)"], Budget(poll_seconds=0.1))
    assert result.returncode == 3 and result.exceeded is None


def test_memory_hog_is_stopped():
    hog = (
        "import time; b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
    )
    result = watch([PY, "-c", hog], Budget(max_rss_mb=60, poll_seconds=0.1))
    assert result.exceeded == "memory" and result.peak_rss_mb > 60


def test_cpu_hog_is_stopped_after_the_window():
    burn = "import time\nt = time.time()\nwhile time.time() - t < 30: pass"
    budget = Budget(max_cpu_share=0.02, cpu_window_seconds=1.5, poll_seconds=0.2)
    result = watch([PY, "-c", burn], budget)
    assert result.exceeded == "cpu"


def test_timeout_stops_a_hung_worker():
    result = watch(
        [PY, "-c", "import time; time.sleep(30)"], Budget(timeout_seconds=0.5, poll_seconds=0.1)
    )
    assert result.exceeded == "timeout"


def test_worker_command_and_scan_args():
    cmd = worker_command(scan_args(ScheduleConfig(sample_seconds=5, deep=True)))
    assert cmd[:3] == [PY, "-m", "agent"]
    assert cmd[3:] == [
        "scan",
        "--upload",
        "--quiet",
        "--scheduled",
        "--sample-seconds",
        "5.0",
        "--deep",
    ]


def test_systemd_unit_install_and_uninstall(tmp_path, platform_as):
    from agent.runner import service

    platform_as("linux")
    calls = []

    def runner(cmd):
        calls.append(list(cmd))
        import subprocess

        return subprocess.CompletedProcess(cmd, 0, "active\n", "")

    unit = service.install(tmp_path / "home", unit_dir=tmp_path, runner=runner)
    text = (tmp_path / "minecheck.service").read_text()
    assert unit.endswith("minecheck.service")
    assert "ExecStart=" in text and " -m agent run" in text
    assert f"MINECHECK_HOME={tmp_path / 'home'}" in text
    assert ["systemctl", "enable", "--now", "minecheck"] in calls
    assert service.status(unit_dir=tmp_path, runner=runner).active
    service.uninstall(unit_dir=tmp_path, runner=runner)
    assert not (tmp_path / "minecheck.service").exists()


def test_windows_task_runs_as_system_at_start():
    from agent.platform.windows.service import windows_task_command

    cmd = windows_task_command([r"C:\Program Files\minecheck\minecheck.exe", "run"])
    assert cmd[cmd.index("/RU") + 1] == "SYSTEM" and cmd[cmd.index("/SC") + 1] == "ONSTART"
    assert cmd[cmd.index("/TR") + 1] == r'"C:\Program Files\minecheck\minecheck.exe" run'


def test_windows_install_goes_through_schtasks_with_the_home(tmp_path, platform_as):
    import subprocess

    from agent.runner import service

    platform_as("windows")
    calls = []

    def runner(cmd):
        calls.append(list(cmd))
        return subprocess.CompletedProcess(cmd, 0, "TaskName: minecheck\n", "")

    assert service.install(tmp_path / "home", unit_dir=tmp_path, runner=runner) == "minecheck"
    (create,) = calls
    task_run = create[create.index("/TR") + 1]
    assert create[:2] == ["schtasks", "/Create"] and f"--home {tmp_path / 'home'} run" in task_run
    assert list(tmp_path.iterdir()) == []  # no unit file on Windows
    assert service.status(unit_dir=tmp_path, runner=runner).installed
    service.uninstall(unit_dir=tmp_path, runner=runner)
    assert calls[-1] == ["schtasks", "/Delete", "/F", "/TN", "minecheck"]


def test_background_sampling_reaches_the_next_scheduled_scan(tmp_path, monkeypatch):
    """A process busy only between scans is in the next scheduled report and is handed to
    detection; a plain `scan` ignores the file."""
    import subprocess
    import threading

    from agent.collectors.base import ScanOptions
    from agent.runner import background
    from agent.runner.loop import wait_sampling
    from agent.scan import build_report
    from agent.transport.agent_state import AgentState

    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path))
    burner = subprocess.Popen(
        [PY, "-c", "import time\nt = time.time()\nwhile time.time() - t < 8: pass"]
    )
    try:
        stop = threading.Event()
        state = AgentState.load()
        assert wait_sampling(state, stop, 3.0) is False
    finally:
        burner.kill()
        burner.wait()
    assert (tmp_path / background.BACKGROUND_FILE).exists()
    seen = {}

    def spy(ctx, bundle, utilization):
        seen["pids"] = {p.pid for p in utilization.top_processes} if utilization else set()
        return []

    monkeypatch.setattr("agent.scan._run_detection", spy)
    report = build_report(ScanOptions(sample_seconds=0), command="run")
    assert report.background_utilization is not None
    assert burner.pid in {p.pid for p in report.background_utilization.top_processes}
    assert burner.pid in seen["pids"]
    assert not (tmp_path / background.BACKGROUND_FILE).exists()  # taken once
    assert build_report(ScanOptions(sample_seconds=0)).background_utilization is None


def test_run_on_a_computer_that_is_not_enrolled_refuses_with_the_next_step(tmp_path):
    """Scheduled mode without enrollment used to keep running silently, uploading nothing."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "MINECHECK_HOME": str(home), "MINECHECK_LANG": "zh_CN"}
    for args in (["run"], ["run", "--once"]):
        done = subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True,
                              text=True, timeout=60, env=env)
        assert done.returncode == 2, done.stderr
        assert "尚未登记" in done.stderr and "minecheck enroll" in done.stderr
        assert str(home / "minecheck.toml") in done.stderr  # the folder it looked in
