"""`minecheck scan` and `minecheck inventory` end to end, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser

import jsonschema
import pytest

import agent.scan
from agent.cli import main
from agent.i18n import localized
from agent.wire.report import (
    DeviceIdentity,
    Finding,
    MiningMode,
    Report,
    Strength,
    Verdict,
    VerdictStatus,
)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "MINECHECK_LANG"):
        env.pop(var, None)
    env["LANG"] = "zh_CN.UTF-8"  # the language comes from the system locale
    env.update(extra)
    return env


def _minecheck(*args: str, home, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(MINECHECK_HOME=str(home), **env),
    )


class _Sections(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: set[str] = set()
        self.external: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id"):
            self.ids.append(attrs["id"])
        for key in ("src", "href"):
            if attrs.get(key):
                self.external.append(attrs[key])

    def handle_data(self, data):
        self.text += data


@pytest.mark.slow
def test_scan_json_to_stdout_validates_against_the_schema(repo_root, tmp_path):
    proc = _minecheck("scan", "--sample-seconds", "1", "--json", "-", home=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)  # stdout holds only the JSON
    schema = json.loads((repo_root / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    report = Report.model_validate(data)
    assert report.utilization is not None and report.utilization.samples >= 1
    assert report.agent.language == "zh"
    expected = 0 if report.verdict.status == VerdictStatus.clean else 1
    assert proc.returncode == expected
    # progress (plain lines, stderr is not a TTY) and the summary went to stderr
    assert "%" in proc.stderr and "检查结果" in proc.stderr


@pytest.mark.slow
def test_scan_writes_html_with_the_expected_sections(tmp_path):
    html_path = tmp_path / "out" / "report.html"
    json_path = tmp_path / "out" / "report.json"
    proc = _minecheck(
        "scan",
        "--sample-seconds",
        "1",
        "--html",
        str(html_path),
        "--json",
        str(json_path),
        home=tmp_path,
    )
    assert proc.returncode in (0, 1), proc.stderr
    page = _Sections()
    page.feed(html_path.read_text(encoding="utf-8"))
    for section in ("verdict", "findings", "utilization", "device", "hardware", "problems"):
        assert section in page.ids
    assert "svg" in page.tags  # the CPU chart
    assert "script" not in page.tags and "link" not in page.tags
    assert page.external == []  # self-contained
    assert "硬件" in page.text and "检查时间" in page.text
    Report.model_validate_json(json_path.read_text(encoding="utf-8"))
    # the summary says where the files are
    assert str(html_path.resolve()) in proc.stdout


def test_scan_in_english_with_lang_after_the_subcommand(tmp_path):
    html_path = tmp_path / "r.html"
    proc = _minecheck(
        "scan", "--lang", "en", "--sample-seconds", "0", "--html", str(html_path), home=tmp_path
    )
    assert proc.returncode in (0, 1), proc.stderr
    text = html_path.read_text(encoding="utf-8")
    assert '<html lang="en">' in text and "Hardware" in text and "硬件" not in text
    assert "Result" in proc.stdout


def test_quiet_prints_nothing_and_default_report_folder_is_used(tmp_path):
    proc = _minecheck("scan", "--quiet", "--sample-seconds", "0", home=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    written = sorted(p.suffix for p in (tmp_path / "reports").iterdir())
    assert written == [".html", ".json"]


def test_bad_sample_seconds_is_a_clear_error(tmp_path):
    proc = _minecheck("scan", "--sample-seconds", "-3", home=tmp_path)
    assert proc.returncode == 2
    assert "-3" in proc.stderr


def test_inventory_json_and_table(tmp_path):
    proc = _minecheck("inventory", "--json", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    DeviceIdentity.model_validate(data["device"])
    assert data["device"]["hostname"]
    table = _minecheck("--lang", "en", "inventory", home=tmp_path)
    assert table.returncode == 0 and "Device identity" in table.stdout
    zh = _minecheck("inventory", home=tmp_path)
    assert "设备标识" in zh.stdout


def _fake_report(status: VerdictStatus, mode: MiningMode | None = None) -> Report:
    findings = []
    if status != VerdictStatus.clean:
        findings.append(
            Finding(
                kind="test",
                strength=Strength.strong if status == VerdictStatus.mining else Strength.weak,
                title=localized("Mining found"),
                action=localized("What to do"),
            )
        )
    return Report(
        agent={"version": "0", "platform": sys.platform},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="pc-01"),
        findings=findings,
        verdict=Verdict(status=status, mode=mode),
    )


@pytest.mark.parametrize(
    ("status", "mode", "code"),
    [
        (VerdictStatus.clean, None, 0),
        (VerdictStatus.suspicious, None, 1),
        (VerdictStatus.mining, MiningMode.active, 1),
        (VerdictStatus.mining, MiningMode.passive, 1),
    ],
)
def test_exit_codes_follow_the_verdict(monkeypatch, tmp_path, capsys, status, mode, code):
    monkeypatch.setattr(agent.scan, "build_report", lambda *a, **k: _fake_report(status, mode))
    rc = main(["--lang", "zh", "scan", "--json", str(tmp_path / "r.json")])
    assert rc == code
    out = capsys.readouterr().out
    if status == VerdictStatus.clean:
        assert "未发现挖矿" in out
    elif mode == MiningMode.passive:
        assert "挖矿木马" in out and "断开" in out


def test_unwritable_report_path_is_exit_2_and_other_outputs_still_happen(
    monkeypatch, tmp_path, capsys
):
    monkeypatch.setattr(
        agent.scan, "build_report", lambda *a, **k: _fake_report(VerdictStatus.clean)
    )
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    good = tmp_path / "r.json"
    rc = main(["--lang", "en", "scan", "--json", str(good), "--html", str(blocker / "r.html")])
    assert rc == 2
    assert good.exists()
    assert "Could not write the report file" in capsys.readouterr().err


def test_upload_without_enrollment_keeps_the_report_in_the_spool(tmp_path):
    proc = _minecheck("scan", "--upload", "--quiet", "--sample-seconds", "0", home=tmp_path)
    assert proc.returncode in (0, 1), proc.stderr
    spooled = list((tmp_path / "spool").rglob("*.json"))
    reports = [p for p in spooled if p.parent.name == "pending"]
    assert len(reports) == 1, spooled
    Report.model_validate_json(reports[0].read_text(encoding="utf-8"))
    assert not (tmp_path / "reports").exists()  # the scheduled runner does not pile up files


def test_ctrl_c_during_sampling_stops_promptly(tmp_path):
    import signal
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "--lang", "en", "scan", "--sample-seconds", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(MINECHECK_HOME=str(tmp_path)),
    )
    try:
        for line in proc.stderr:
            if "Measuring" in line:
                break
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert time.monotonic() - started < 15
    assert proc.returncode == 2
    assert "Interrupted." in err


class _Tty:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_bar_on_a_terminal_and_plain_lines_elsewhere():
    import io

    from agent.report.terminal import ProgressDisplay

    tty = _Tty()
    bar = ProgressDisplay(tty)
    bar("Reading the hardware inventory", 0.0)
    bar("Measuring CPU and GPU use (5/30 s)", 0.5)
    bar("Checking running processes")  # no fraction of its own: the bar stays at 50 %
    bar.finish()
    assert tty.text.count("\r[") == 3
    assert "[############------------]  50% Checking running processes" in tty.text
    assert "[############------------]  50% Measuring" in tty.text
    assert tty.text.endswith("\n")

    plain = io.StringIO()
    lines = ProgressDisplay(plain)
    for second in range(5):
        lines(f"Measuring CPU and GPU use ({second}/30 s)", 0.1 + second / 100)
    lines("Writing the report", 1.0)
    assert plain.getvalue().splitlines() == [
        " 10% Measuring CPU and GPU use (0/30 s)",
        "100% Writing the report",
    ]

    silent = io.StringIO()
    ProgressDisplay(silent, quiet=True)("anything", 0.3)
    assert silent.getvalue() == ""
