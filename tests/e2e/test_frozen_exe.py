"""Smoke test of the one-file Linux executable, run from a clean temporary folder with a
minimal environment (no virtualenv, no PYTHONPATH, PATH=/usr/bin:/bin).

The executable is built once per session when ``MINECHECK_BUILD_EXE=1`` or ``CI`` is set
(``.ci/run`` sets it); otherwise an up-to-date ``dist/minecheck`` is used, or the tests
are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from agent import __version__

ROOT = Path(__file__).resolve().parents[2]
DIST_EXE = ROOT / "dist" / "minecheck"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Everything that ends up inside the executable: newer than the executable means stale.
INPUTS = (
    "agent",
    "signatures",
    "build/minecheck.spec",
    "build/exe_contents.py",
    "build/minecheck_entry.py",
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux executable only"),
]


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for f in files:
            if "__pycache__" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


def _build_wanted() -> bool:
    return os.environ.get("MINECHECK_BUILD_EXE") == "1" or bool(os.environ.get("CI"))


@pytest.fixture(scope="session")
def built_exe() -> Path:
    if _build_wanted():
        proc = subprocess.run(
            [sys.executable, str(ROOT / "build" / "build_exe.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, f"build failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
        return DIST_EXE
    if not DIST_EXE.exists():
        pytest.skip("dist/minecheck not built: run `make exe` or set MINECHECK_BUILD_EXE=1")
    if DIST_EXE.stat().st_mtime < _newest_input_mtime():
        pytest.skip(
            "dist/minecheck is older than its sources: run `make exe` or set MINECHECK_BUILD_EXE=1"
        )
    return DIST_EXE


@pytest.fixture(scope="session")
def clean_dir(tmp_path_factory, built_exe) -> Path:
    """A fresh folder holding only a copy of the executable (and a home for it)."""
    folder = tmp_path_factory.mktemp("frozen")
    shutil.copy2(built_exe, folder / "minecheck")
    (folder / "home").mkdir()
    return folder


def run_exe(folder: Path, *args: str, extra_env: dict | None = None, timeout: float = 180):
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder / "home"),
        "MINECHECK_HOME": str(folder / "home" / "minecheck"),
        "LANG": "zh_CN.UTF-8",  # a Chinese system (the locale need not be installed)
        **(extra_env or {}),
    }
    return subprocess.run(
        [str(folder / "minecheck"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def test_version(clean_dir):
    proc = run_exe(clean_dir, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"minecheck {__version__}"


def test_translations_are_bundled(clean_dir):
    zh = run_exe(clean_dir, "--help")
    assert zh.returncode == 0, zh.stderr
    assert "检查本机" in zh.stdout  # the scan subcommand's Chinese help
    en = run_exe(clean_dir, "--lang", "en", "--help")
    assert en.returncode == 0, en.stderr
    assert "finds cryptocurrency mining" in en.stdout and not CJK.search(en.stdout)


def test_scan_json_validates_against_schema(clean_dir):
    proc = run_exe(clean_dir, "scan", "--sample-seconds", "1", "--json", "-")
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, schema)
    assert report["agent"]["frozen"] is True
    assert report["agent"]["version"] == __version__
    # The sampler ran inside the executable (psutil's native module is bundled).
    assert report["utilization"] is not None
    # No collector may fail because something was left out of the executable.
    missing = [
        e
        for e in report["errors"]
        if "ModuleNotFound" in json.dumps(e) or "ImportError" in json.dumps(e)
    ]
    assert not missing, missing


def test_bundled_rules_load_from_the_packed_file(clean_dir):
    proc = run_exe(clean_dir, "signatures", "info", "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    info = json.loads(proc.stdout)
    manifest = json.loads((ROOT / "signatures" / "manifest.json").read_text(encoding="utf-8"))
    assert info["version"] == manifest["version"] and info["source"] == "builtin"
    assert info["problems"] == []
    # Loaded from inside the executable, from the packed form (no plain rules shipped).
    assert info["origin"].endswith("packed.bin") and "_MEI" in info["origin"]
    assert info["counts"]["file_rules"] > 0 and info["counts"]["memory_rules"] > 0


def test_bundled_yara_rules_find_a_packed_miner_in_memory(clean_dir, tmp_path):
    """A miner whose file holds nothing readable (compressed, XOR-ed) is named by the
    executable's memory YARA scan: yara-python's native library works when frozen."""
    from tests.fixtures.miners import launch
    from tests.fixtures.miners.pool import StratumPool

    hide = tmp_path / ".cache-x"
    exe = launch.copy_interpreter(hide / "gvfsd-helper")
    launch.write_packed_miner(hide / "update.py")
    with StratumPool() as pool:
        (hide / "config.json").write_text(
            json.dumps({"pools": [{"url": f"127.0.0.1:{pool.port}", "user": launch.WALLET}]})
        )
        miner = launch.spawn(
            [exe, "update.py"],
            cwd=hide,
            env={"FAKE_MINER_DELETE_CONFIG": "1", "FAKE_MINER_THROTTLE": "0.5"},
        )
        try:
            launch.wait_logged_in(pool)
            proc = run_exe(clean_dir, "scan", "--sample-seconds", "2", "--json", "-")
        finally:
            launch.stop(miner)
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert report["verdict"]["status"] == "mining"
    memory_hits = [
        f
        for f in report["findings"]
        if f["kind"] == "yara_memory" and f["subject"]["pid"] == miner.pid
    ]
    assert memory_hits, [(f["kind"], f["subject"].get("pid")) for f in report["findings"]]
    assert memory_hits[0]["signature_version"] == report["signatures"]["version"]


def test_double_click_selfcheck_writes_report_next_to_executable(clean_dir):
    proc = run_exe(
        clean_dir,
        extra_env={"MINECHECK_SELFCHECK_SECONDS": "0", "MINECHECK_NO_BROWSER": "1"},
    )
    assert proc.returncode in (0, 1), proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "挖矿" in proc.stdout  # explained in Chinese
    reports = sorted(clean_dir.glob("minecheck-报告-*.html"))
    assert len(reports) == 1, proc.stdout
    assert re.fullmatch(r"minecheck-报告-.+-\d{8}-\d{4}\.html", reports[0].name)
    assert str(reports[0]) in proc.stdout
    html = reports[0].read_text(encoding="utf-8")
    assert "<html" in html.lower() and CJK.search(html)
    from agent.transport import handcarry

    signed = handcarry.verify(reports[0].with_suffix(".mcr").read_bytes())
    data = json.loads(signed.report_json)
    assert data["agent"]["frozen"] is True


def test_damaged_rules_make_the_frozen_scan_incomplete_with_exit_2(clean_dir, tmp_path):
    """The one-file executable with rules that do not compile never says clean: verdict
    `incomplete`, exit status 2, said first in the terminal and the HTML report."""
    from tests.agent.test_scan_incomplete import corrupted_signatures

    sig = corrupted_signatures(tmp_path)
    html_path = tmp_path / "r.html"
    proc = run_exe(
        clean_dir,
        "scan",
        "--sample-seconds",
        "0",
        "--json",
        str(tmp_path / "r.json"),
        "--html",
        str(html_path),
        extra_env={"MINECHECK_BUILTIN_SIGNATURES": str(sig)},
    )
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["verdict"]["status"] == "incomplete"
    assert any("signature bundle" in x["en"] for x in report["verdict"]["incomplete"])
    result = next(line for line in proc.stdout.splitlines() if line.startswith("["))
    assert "检查未完成" in result
    html = html_path.read_text(encoding="utf-8")
    assert html.index("未完成的检查") < html.index('id="findings"')
