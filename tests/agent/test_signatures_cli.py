"""`minecheck signatures ...` in a subprocess with MINECHECK_HOME in a temporary folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(python_exe: str, home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINECHECK_HOME": str(home), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [python_exe, "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_info_json_and_text(tmp_path: Path, python_exe: str) -> None:
    proc = _run(python_exe, tmp_path, "signatures", "info", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["source"] == "builtin" and data["problems"] == []
    assert data["counts"]["pool_domains"] >= 300 and "xmrig" in data["families"]
    text = _run(python_exe, tmp_path, "--lang", "zh", "signatures", "info").stdout
    assert "特征库版本" in text and "矿池域名" in text
    text = _run(python_exe, tmp_path, "--lang", "en", "signatures", "info").stdout
    assert "Pool domains" in text


def test_import_reports_bad_lines_and_keeps_good_ones(tmp_path: Path, python_exe: str) -> None:
    home = tmp_path / "home"
    notice = tmp_path / "notice.txt"
    notice.write_text("pool.cli-example.com\nbad entry!\n203.0.113.50:3333\n")
    proc = _run(python_exe, home, "--lang", "en", "signatures", "import", str(notice))
    assert proc.returncode == 2
    assert f"{notice}:2:" in proc.stderr
    assert (
        "Imported: domains 1, IP addresses/ranges 1; already present: 0; bad lines: 1"
        in proc.stdout
    )
    again = _run(python_exe, home, "--lang", "en", "signatures", "import", str(notice))
    assert "already present: 2" in again.stdout
    info = json.loads(_run(python_exe, home, "signatures", "info", "--json").stdout)
    assert info["source"] == "override"
    assert info["counts"]["pool_ips"] >= 1


def test_import_chinese_csv_ok_exit_zero(tmp_path: Path, python_exe: str) -> None:
    notice = tmp_path / "通报.csv"
    notice.write_bytes("域名,端口,来源\nxmr.cn-example.com,3333,省厅\n".encode("gbk"))
    proc = _run(python_exe, tmp_path / "home", "--lang", "zh", "signatures", "import", str(notice))
    assert proc.returncode == 0, proc.stderr
    assert "已导入" in proc.stdout


def test_verify_default_and_path(tmp_path: Path, python_exe: str) -> None:
    ok = _run(python_exe, tmp_path / "home", "--lang", "en", "signatures", "verify")
    assert ok.returncode == 0 and "OK" in ok.stdout
    bad = tmp_path / "bad"
    shutil.copytree(
        ROOT / "signatures", bad, ignore=shutil.ignore_patterns("__pycache__", "*.py", "packed.bin")
    )
    (bad / "pools" / "ports.txt").write_text("tampered\n")
    proc = _run(python_exe, tmp_path / "home", "--lang", "en", "signatures", "verify", str(bad))
    assert proc.returncode == 2 and "ports.txt" in proc.stderr and "NOT valid" in proc.stderr
    # A corrupt collector bundle: verify says so (exit 2), scans still have the shipped one.
    shutil.copytree(bad, tmp_path / "home" / "signatures" / "current")
    proc = _run(python_exe, tmp_path / "home", "--lang", "en", "signatures", "verify")
    assert proc.returncode == 2 and "was not used" in proc.stderr


def test_manifest_check_and_write(tmp_path: Path, python_exe: str) -> None:
    folder = tmp_path / "b"
    shutil.copytree(
        ROOT / "signatures",
        folder,
        ignore=shutil.ignore_patterns("__pycache__", "*.py", "packed.bin"),
    )
    assert (
        _run(python_exe, tmp_path, "signatures", "manifest", str(folder), "--check").returncode == 0
    )
    (folder / "pools" / "ports.txt").write_text("3333\tstratum\ttest\n")
    assert (
        _run(python_exe, tmp_path, "signatures", "manifest", str(folder), "--check").returncode == 2
    )
    proc = _run(python_exe, tmp_path, "--lang", "en", "signatures", "manifest", str(folder))
    assert proc.returncode == 0 and "written" in proc.stdout
    assert (
        _run(python_exe, tmp_path, "signatures", "manifest", str(folder), "--check").returncode == 0
    )
