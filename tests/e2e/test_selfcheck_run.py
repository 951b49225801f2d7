"""Whole runs of the double-click self-check (``minecheck`` with no arguments) from source:
real scans in a subprocess, reports written, the window kept open on a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from agent.transport import handcarry

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")

pytestmark = pytest.mark.slow


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINECHECK_", "LC_", "LANG"))}
    env.update(
        HOME=str(tmp_path / "home"),
        MINECHECK_HOME=str(tmp_path / "agent-home"),
        MINECHECK_NO_BROWSER="1",
        MINECHECK_SELFCHECK_SECONDS="0",
        PYTHONPATH=str(ROOT),
        LANG="zh_CN.UTF-8",  # a Chinese system
    )
    env.update(extra)
    return env


def _run_selfcheck(tmp_path: Path, *args: str) -> tuple[Path, subprocess.CompletedProcess]:
    """The self-check started with no command (as a double-click does) in a fresh folder."""
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "agent", *args],
        cwd=work,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    return work, proc


def test_selfcheck_run_from_source_writes_the_reports(tmp_path):
    work, proc = _run_selfcheck(tmp_path)
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "挖矿" in proc.stdout and "本工具只读取信息" in proc.stdout
    assert list(work.iterdir()) == []  # nothing written into the folder it was run from
    html = list((tmp_path / "agent-home" / "reports").glob("minecheck-报告-*.html"))
    assert len(html) == 1, proc.stdout
    assert str(html[0]) in proc.stdout
    # The hand-carry file beside it: signed, and holding the same report.
    mcr = html[0].with_suffix(".mcr")
    assert str(mcr) in proc.stdout
    report = json.loads(handcarry.verify(mcr.read_bytes()).report_json)
    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert report["agent"]["command"] == "selfcheck"
    expected = 0 if report["verdict"]["status"] == "clean" else 1
    assert proc.returncode == expected
    assert CJK.search(html[0].read_text(encoding="utf-8"))


def test_selfcheck_in_english_when_asked(tmp_path):
    work, proc = _run_selfcheck(tmp_path, "--lang", "en")
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "cryptocurrency mining self-check" in proc.stdout
    assert not CJK.search(proc.stdout.split("Report files")[0])
    assert len(list((tmp_path / "agent-home" / "reports").glob("minecheck-report-*.html"))) == 1
    assert list(work.iterdir()) == []


def test_selfcheck_waits_for_a_key_on_a_terminal(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "agent", "--lang", "en"],
        cwd=work,
        env=_env(tmp_path),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 120
        while b"Press Enter to close" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
        assert b"Press Enter to close" in seen, seen.decode(errors="replace")[-3000:]
        assert proc.poll() is None, "it must wait for the key, not close the window"
        os.write(master, b"\n")
        assert proc.wait(timeout=30) in (0, 1)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
