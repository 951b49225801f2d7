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
    assert cmd[3:] == ["scan", "--upload", "--quiet", "--sample-seconds", "5.0", "--deep"]


def test_systemd_unit_install_and_uninstall(tmp_path):
    from agent.runner import service

    calls = []

    def runner(cmd):
        calls.append(list(cmd))
        import subprocess

        return subprocess.CompletedProcess(cmd, 0, "active\n", "")

    unit = service.install(tmp_path / "home", unit_dir=tmp_path, runner=runner, platform="linux")
    text = (tmp_path / "minecheck.service").read_text()
    assert unit.endswith("minecheck.service")
    assert "ExecStart=" in text and " -m agent run" in text
    assert f"MINECHECK_HOME={tmp_path / 'home'}" in text
    assert ["systemctl", "enable", "--now", "minecheck"] in calls
    assert service.status(unit_dir=tmp_path, runner=runner, platform="linux").active
    service.uninstall(unit_dir=tmp_path, runner=runner, platform="linux")
    assert not (tmp_path / "minecheck.service").exists()


def test_windows_task_runs_as_system_at_start():
    from agent.runner.service import windows_task_command

    cmd = windows_task_command([r"C:\Program Files\minecheck\minecheck.exe", "run"])
    assert cmd[cmd.index("/RU") + 1] == "SYSTEM" and cmd[cmd.index("/SC") + 1] == "ONSTART"
    assert cmd[cmd.index("/TR") + 1] == r'"C:\Program Files\minecheck\minecheck.exe" run'
