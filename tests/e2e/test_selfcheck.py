"""The double-click self-check (``minecheck`` with no arguments), run from source."""

from __future__ import annotations

import io
import os
import re
import sys
from datetime import datetime
from pathlib import Path

import pytest

from agent.cli import selfcheck
from agent.i18n import set_language

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _english_then_back():
    yield
    set_language("zh")


# ------------------------------------------------------------------ file name and folder


def test_report_name_has_hostname_and_time():
    when = datetime(2026, 11, 23, 18, 30)
    assert selfcheck.report_basename("PC-07", when, "zh") == "minecheck-报告-PC-07-20261123-1830"
    assert selfcheck.report_basename("PC-07", when, "en") == "minecheck-report-PC-07-20261123-1830"


@pytest.mark.parametrize(
    ("host", "part"),
    [('bad:name/with\\"chars*?', "bad_name_with_chars"), ("   ", "PC"), ("网吧-01", "网吧-01")],
)
def test_hostname_is_made_safe_for_file_names(host, part):
    name = selfcheck.report_basename(host, datetime(2026, 1, 2, 3, 4), "zh")
    assert name == f"minecheck-报告-{part}-20260102-0304"


def test_save_falls_back_to_the_next_folder_when_one_is_not_writable(tmp_path):
    # /proc/1 takes no new files, not even from root.
    path = selfcheck.save_text([Path("/proc/1"), tmp_path], "r", ".html", "<html></html>")
    assert path == tmp_path / "r.html"
    assert path.read_text(encoding="utf-8") == "<html></html>"


def test_save_never_overwrites_an_existing_report(tmp_path):
    (tmp_path / "r.html").write_text("old", encoding="utf-8")
    path = selfcheck.save_text([tmp_path], "r", ".html", "new")
    assert path.name == "r-2.html"
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == "old"


def test_save_raises_when_no_folder_takes_the_file(tmp_path):
    (tmp_path / "a-file").write_text("")
    with pytest.raises(OSError):
        selfcheck.save_text([Path("/proc/1"), tmp_path / "a-file" / "sub"], "r", ".html", "x")


def test_report_folders_from_source_are_the_agents_reports_folder_not_the_checkout(
    tmp_path, monkeypatch
):
    """Before: the current folder came first, so a run from the checkout wrote into it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    monkeypatch.setenv("MINECHECK_HOME", str(tmp_path / "agent-home"))
    (tmp_path / "h" / "Desktop").mkdir(parents=True)
    folders = selfcheck.report_folders()
    assert folders[0] == tmp_path / "agent-home" / "reports"
    assert folders[1] == tmp_path / "h" / "Desktop"
    assert tmp_path not in folders
    assert len(folders) == len(set(folders))


def test_the_double_clicked_executable_saves_beside_itself_then_desktop_then_documents(
    tmp_path, monkeypatch, platform_as
):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(selfcheck.tempfile, "gettempdir", lambda: str(tmp_path / "Temp"))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "usb" / "minecheck.exe"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "u"))
    (tmp_path / "u" / "Desktop").mkdir(parents=True)
    (tmp_path / "u" / "Documents").mkdir(parents=True)
    platform_as("windows")
    folders = selfcheck.report_folders()
    user = tmp_path / "u"
    assert folders[:3] == [tmp_path / "usb", user / "Desktop", user / "Documents"]


def test_save_creates_the_reports_folder(tmp_path):
    path = selfcheck.save_text([tmp_path / "home" / "reports"], "r", ".html", "x")
    assert path == tmp_path / "home" / "reports" / "r.html"


def test_an_executable_run_from_the_temp_folder_saves_on_the_desktop(
    tmp_path, monkeypatch, platform_as
):
    # As when Windows runs a program opened from a ZIP file's preview (from %TEMP%).
    temp = tmp_path / "Temp"
    (tmp_path / "h" / "Desktop").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "h"))
    monkeypatch.setattr(selfcheck.tempfile, "gettempdir", lambda: str(temp))
    monkeypatch.delenv("USERPROFILE", raising=False)
    platform_as("windows")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(temp / "Temp1_minecheck.zip" / "minecheck.exe"))
    folders = selfcheck.report_folders()
    assert folders[0] == tmp_path / "h" / "Desktop"
    assert folders[1] == temp / "Temp1_minecheck.zip"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_files_are_handed_to_the_sudo_user(tmp_path, monkeypatch):
    f = tmp_path / "r.html"
    f.write_text("x")
    monkeypatch.setenv("SUDO_UID", "4321")
    monkeypatch.setenv("SUDO_GID", "4322")
    selfcheck._give_to_invoking_user([f])
    assert (f.stat().st_uid, f.stat().st_gid) == (4321, 4322)


# ------------------------------------------------------------------ settings and rights


@pytest.mark.parametrize(("value", "expected"), [("5", 5.0), ("0", 0.0), ("x", 30.0), ("-1", 30.0)])
def test_sampling_window_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv("MINECHECK_SELFCHECK_SECONDS", value)
    assert selfcheck._sample_seconds() == expected


def test_linux_without_root_suggests_sudo_and_lists_what_is_missing(monkeypatch, platform_as):
    linux = platform_as("linux")
    set_language("en")
    monkeypatch.setattr(linux, "is_privileged", lambda: False)
    out = io.StringIO()
    assert selfcheck.ensure_rights(out) is None
    text = out.getvalue()
    assert "sudo " in text and "cannot look at" in text
    assert "memory of other users' and system processes" in text


def test_windows_declined_prompt_continues_and_says_what_is_missing(monkeypatch, platform_as):
    # The UAC call itself needs Windows; here the user "declines" (None).
    from agent.platform.windows import elevation

    platform_as("windows")
    set_language("zh")
    monkeypatch.setattr(elevation, "is_admin", lambda: False)
    monkeypatch.delenv("MINECHECK_NO_ELEVATE", raising=False)
    asked = []
    monkeypatch.setattr(
        elevation, "relaunch_elevated", lambda program, params, on_error: asked.append(params)
    )
    out = io.StringIO()
    assert selfcheck.ensure_rights(out) is None
    text = out.getvalue()
    assert len(asked) == 1 and asked[0].endswith("--lang zh")
    assert "请点击“是”" in text and "没有管理员权限" in text and "Defender" in text


def test_windows_elevated_copy_ran_the_check(monkeypatch, platform_as):
    from agent.platform.windows import elevation

    platform_as("windows")
    set_language("en")
    monkeypatch.setattr(elevation, "is_admin", lambda: False)
    monkeypatch.setattr(elevation, "relaunch_elevated", lambda program, params, on_error: 1)
    out = io.StringIO()
    assert selfcheck.ensure_rights(out) == 1
    assert "administrator window" in out.getvalue()


def test_no_browser_without_a_display(monkeypatch, platform_as):
    monkeypatch.delenv("MINECHECK_NO_BROWSER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    platform_as("linux")
    assert selfcheck.open_in_browser(Path("/nonexistent.html")) is False


def test_no_wait_when_input_is_not_a_terminal():
    out = io.StringIO()
    selfcheck.wait_for_key(out, io.StringIO("never read"))
    assert out.getvalue() == ""


def test_report_opens_and_the_window_waits_through_the_platform(fake_platform, monkeypatch):
    class Console(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("MINECHECK_NO_BROWSER", raising=False)
    monkeypatch.delenv("MINECHECK_NO_WAIT", raising=False)
    set_language("en")
    assert selfcheck.open_in_browser(Path("/r.html")) is False  # the fake has no browser
    fake_platform.browser = True
    assert selfcheck.open_in_browser(Path("/r.html")) is True
    assert fake_platform.opened == [Path("/r.html")]
    out = io.StringIO()
    selfcheck.wait_for_key(out, Console("\n"))
    assert "Press Enter to close." in out.getvalue() and fake_platform.keys_read == 1


def test_an_elevated_copy_is_started_where_the_platform_can_prompt(fake_platform, monkeypatch):
    monkeypatch.delenv("MINECHECK_NO_ELEVATE", raising=False)
    set_language("en")
    fake_platform.elevation_prompt = True
    fake_platform.relaunch_result = 0
    assert selfcheck.ensure_rights(io.StringIO()) == 0
    ((program, params),) = fake_platform.relaunched
    assert program == sys.executable and params == "-m agent --lang en"
    fake_platform.privileged = True
    assert selfcheck.ensure_rights(io.StringIO()) is None
    assert len(fake_platform.relaunched) == 1
