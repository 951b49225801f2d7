"""The supervisor stops real workers that exceed their memory or CPU budget."""

from __future__ import annotations

import sys

import pytest

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

    unit = service.install(tmp_path / "home", unit_dir=tmp_path, runner=runner).where
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


def _recorder(calls, answers=None):
    """The recorded-command fake: every command is kept; ``answers`` maps a command's first
    two words to its exit code (0 otherwise)."""
    import subprocess

    def runner(cmd):
        calls.append(list(cmd))
        code = (answers or {}).get(tuple(cmd[:2]), 0)
        return subprocess.CompletedProcess(cmd, code, "TaskName: minecheck\n", "")

    return runner


def test_windows_install_goes_through_schtasks_with_the_home(tmp_path, platform_as):
    from agent.runner import service

    platform_as("windows")
    calls = []
    runner = _recorder(calls)
    change = service.install(tmp_path / "home", unit_dir=tmp_path, runner=runner)
    assert change.where == "minecheck" and change.started
    create, start = calls
    task_run = create[create.index("/TR") + 1]
    assert create[:2] == ["schtasks", "/Create"] and f"--home {tmp_path / 'home'} run" in task_run
    assert start == ["schtasks", "/Run", "/TN", "minecheck"]  # started now, not at next boot
    assert list(tmp_path.iterdir()) == []  # no unit file on Windows
    assert service.status(unit_dir=tmp_path, runner=runner).installed
    service.uninstall(unit_dir=tmp_path, runner=runner)
    assert ["schtasks", "/Delete", "/F", "/TN", "minecheck"] in calls


@pytest.fixture
def usb_exe(tmp_path, monkeypatch):
    """A frozen minecheck.exe run from a USB stick, with its minecheck.toml beside it, and
    %ProgramFiles% in a temporary folder."""
    import sys

    stick = tmp_path / "E" / "lab"
    stick.mkdir(parents=True)
    exe = stick / "minecheck.exe"
    exe.write_bytes(b"MZ fake executable")
    (stick / "minecheck.toml").write_text('[server]\nurl = "http://127.0.0.1:1"\n')
    program_files = tmp_path / "Program Files"
    monkeypatch.setenv("PROGRAMFILES", str(program_files))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    return exe, program_files / "minecheck"


def test_windows_install_copies_the_exe_off_the_usb_stick_and_starts_it(
    tmp_path, usb_exe, platform_as, monkeypatch
):
    """Before: the task pointed at E:\\lab\\minecheck.exe and was never started."""
    from agent.runner import service

    exe, folder = usb_exe
    platform_as("windows")
    calls = []
    change = service.install(None, unit_dir=tmp_path, runner=_recorder(calls))
    installed = folder / "minecheck.exe"
    assert installed.read_bytes() == exe.read_bytes()
    assert (folder / "minecheck.toml").read_text() == (exe.parent / "minecheck.toml").read_text()
    assert change.program == str(installed) and change.copied_from == str(exe) and change.started
    create = next(c for c in calls if c[:2] == ["schtasks", "/Create"])
    task_run = create[create.index("/TR") + 1]
    assert task_run.startswith(f'"{installed}"') or task_run.startswith(f"{installed} ")
    assert str(exe.parent) not in task_run
    assert calls[-1] == ["schtasks", "/Run", "/TN", "minecheck"]
    # the copied configuration (it may hold the enrollment token) is for admins and SYSTEM
    icacls = next(c for c in calls if c[0] == "icacls")
    assert icacls[1] == str(folder / "minecheck.toml") and "/inheritance:r" in icacls

    exe.unlink()  # the stick is gone; installing again from the installed copy copies nothing
    import sys

    monkeypatch.setattr(sys, "executable", str(installed))
    again = service.install(None, unit_dir=tmp_path, runner=_recorder(calls := []))
    assert again.copied_from is None and again.program == str(installed)

    removed = service.uninstall(unit_dir=tmp_path, runner=_recorder(calls := []))
    assert ["schtasks", "/Delete", "/F", "/TN", "minecheck"] in calls
    assert removed.program == str(installed) and not folder.exists()


def test_windows_install_failure_is_an_error_and_start_failure_is_said(
    tmp_path, usb_exe, platform_as
):
    from agent.runner import service

    platform_as("windows")
    with pytest.raises(OSError, match="schtasks"):
        service.install(None, unit_dir=tmp_path, runner=_recorder([], {("schtasks", "/Create"): 1}))
    no_start = _recorder([], {("schtasks", "/Run"): 1})
    change = service.install(None, unit_dir=tmp_path, runner=no_start)
    assert not change.started


def test_service_install_says_in_chinese_what_it_did(
    tmp_path, usb_exe, platform_as, capsys, monkeypatch
):
    from agent.cli import main
    from agent.runner import service

    exe, folder = usb_exe
    windows = platform_as("windows")
    calls = []
    monkeypatch.setattr(windows, "is_privileged", lambda: True)
    monkeypatch.setattr(service, "_run", _recorder(calls))
    assert main(["--lang", "zh", "service", "install"]) == 0
    out = capsys.readouterr().out
    assert str(folder / "minecheck.exe") in out and str(exe) in out
    assert "复制到" in out and "已立即启动" in out, out
    assert ["schtasks", "/Run", "/TN", "minecheck"] in calls


def test_systemctl_failure_leaves_no_unit_and_says_what_to_do(
    tmp_path, platform_as, capsys, monkeypatch
):
    """A fake systemctl on PATH that fails `enable`: before, the unit file stayed behind and
    the error was systemctl's English text only."""
    import os
    import stat

    from agent.runner import service

    platform_as("linux")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "systemctl.log"
    fake = bin_dir / "systemctl"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> "{log}"\n'
        'case "$1" in enable) echo "Failed to enable unit: Access denied" >&2; exit 1;; esac\n'
        "exit 0\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    units = tmp_path / "units"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(OSError) as caught:
        service.install(tmp_path / "home", unit_dir=units)
    assert not (units / "minecheck.service").exists()
    assert "disable --now minecheck" in log.read_text()
    assert "Access denied" in str(caught.value)

    # a unit that was there before is put back as it was
    (units / "minecheck.service").write_text("[Unit]\nDescription=old\n")
    with pytest.raises(OSError):
        service.install(tmp_path / "home", unit_dir=units)
    assert (units / "minecheck.service").read_text() == "[Unit]\nDescription=old\n"
    (units / "minecheck.service").unlink()

    # through the command line, in Chinese, with the next step
    from agent.cli import main

    linux = platform_as("linux")
    monkeypatch.setattr(linux, "is_privileged", lambda: True)
    monkeypatch.setattr(service, "UNIT_DIR", units)
    assert main(["--lang", "zh", "service", "install"]) != 0
    err = capsys.readouterr().err
    assert "Access denied" in err and "systemctl status" in err
    assert "未安装" in err and "minecheck service install" in err, err
    assert not (units / "minecheck.service").exists()


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
        done = subprocess.run(
            [sys.executable, "-m", "agent", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert done.returncode == 2, done.stderr
        assert "尚未登记" in done.stderr and "minecheck enroll" in done.stderr
        assert str(home / "minecheck.toml") in done.stderr  # the folder it looked in


def test_no_systemctl_at_all_leaves_no_unit(tmp_path, platform_as, monkeypatch):
    from agent.runner import service

    platform_as("linux")
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    units = tmp_path / "units"
    with pytest.raises(OSError, match="systemctl daemon-reload"):
        service.install(None, unit_dir=units)
    assert list(units.iterdir()) == []
