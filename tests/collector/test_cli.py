"""`minecheck-server` commands, each in its own process against a fresh data folder."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def cli(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINECHECK_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if check:
        assert done.returncode == 0, done.stderr + done.stdout
    return done


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "data"
    first = cli(folder, "init", "--data", str(folder), "--bureau", "测试县教育局")
    password = re.search(r"^password: (\S+)$", first.stdout, re.M)
    assert password and len(password.group(1)) >= 12
    assert (folder / "secret_key").read_text().strip()
    assert (folder / "minecheck.sqlite3").exists()
    again = cli(folder, "init", "--data", str(folder))
    assert "already initialised" in again.stdout and "password:" not in again.stdout
    with sqlite3.connect(folder / "minecheck.sqlite3") as db:
        (stored,) = db.execute("select password from auth_user where username='admin'").fetchone()
        (mode,) = db.execute("pragma journal_mode").fetchone()
    assert stored.startswith("pbkdf2_sha256$") and password.group(1) not in stored
    assert mode == "wal"
    return folder


def test_org_tree(data):
    cli(data, "org", "add", "城关中学", "--kind", "school", "--parent", "测试县教育局")
    cli(data, "org", "add", "星空网吧", "--kind", "cafe", "--parent", "测试县教育局")
    dup = cli(
        data, "org", "add", "城关中学", "--kind", "school", "--parent", "测试县教育局", check=False
    )
    assert dup.returncode == 2 and "already exists" in dup.stderr
    missing = cli(data, "org", "add", "X", "--kind", "school", "--parent", "无此单位", check=False)
    assert missing.returncode == 2 and "no organisation named" in missing.stderr
    tree = cli(data, "org", "list").stdout.splitlines()
    root = next(i for i, line in enumerate(tree) if line.startswith("测试县教育局"))
    assert any(line.startswith("  城关中学  [school") for line in tree[root + 1 :])
    assert any(line.startswith("  星空网吧  [cafe") for line in tree[root + 1 :])


def test_token_lifecycle(data):
    cli(data, "org", "add", "北关小学", "--kind", "school")
    created = cli(
        data, "token", "create", "--org", "北关小学", "--expires-days", "7", "--max-uses", "50"
    ).stdout
    plain = re.search(r"^(mce_\S+)$", created, re.M).group(1)
    token_id = re.search(r"\(id (\d+)\)", created).group(1)
    listing = cli(data, "token", "list").stdout
    assert f"{token_id}\t{plain[:10]}…\t北关小学\tuses 0/50" in listing and "usable" in listing
    assert plain not in listing
    with sqlite3.connect(data / "minecheck.sqlite3") as db:
        dump = "\n".join(db.iterdump())
    assert plain not in dump
    cli(data, "token", "revoke", token_id)
    assert "revoked" in cli(data, "token", "list").stdout.splitlines()[0] or any(
        line.startswith(f"{token_id}\t") and line.endswith("revoked")
        for line in cli(data, "token", "list").stdout.splitlines()
    )
    bad = cli(data, "token", "revoke", "99999", check=False)
    assert bad.returncode == 2 and "no enrollment token" in bad.stderr


def test_user_demo_and_manage(data):
    out = cli(
        data, "user", "add", "teacher1", "--role", "school_staff", "--org", "城关中学", check=False
    )
    if out.returncode != 0:  # test_org_tree did not run first (e.g. -k selection)
        cli(data, "org", "add", "城关中学", "--kind", "school")
        out = cli(data, "user", "add", "teacher1", "--role", "school_staff", "--org", "城关中学")
    assert re.search(r"teacher1 \(school_staff\) password: \S{12,}", out.stdout)
    demo = cli(data, "demo", "--data", str(data)).stdout
    assert re.search(r"enrollment token: mce_\S+", demo)
    assert re.search(r"user: school / \S+\s+\(school_staff", demo)
    check = cli(data, "manage", "check")
    assert "no issues" in check.stdout
    shown = cli(data, "manage", "showmigrations", "ledger").stdout
    assert "[X] 0001_initial" in shown and "[ ]" not in shown


def test_ledger_export_and_dry_run_import(data, tmp_path):
    import csv

    from tests.collector.conftest import start_server, stop_server
    from tests.collector.factories import make_identity, make_report
    from tests.collector.serverenv import ServerEnv

    cli(data, "org", "add", "导出学校", "--kind", "school")
    token = re.search(
        r"^(mce_\S+)$", cli(data, "token", "create", "--org", "导出学校").stdout, re.M
    ).group(1)
    proc, url = start_server(data, None)
    try:
        env = ServerEnv(base_url=url, alias="default", backend="sqlite")
        identity = make_identity("cli-export", hostname="EXPORT-PC-01")
        enrolled = env.enroll(token, identity, {"location": "一号楼"}).json()
        assert env.upload(enrolled["device_token"], make_report(identity)).status_code == 201
    finally:
        stop_server(proc)
    out = tmp_path / "ledger.csv"
    exported = cli(data, "ledger", "export", "--format", "csv", "--org", "导出学校", "-o", str(out))
    assert "wrote 1 devices" in exported.stdout
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 2 and "EXPORT-PC-01" in rows[1] and "一号楼" in rows[1]
    rows[1][rows[1].index("一号楼")] = "二号楼"
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    preview = cli(data, "ledger", "import", str(out), "--dry-run")
    assert "1 to change" in preview.stdout and "二号楼" in preview.stdout
    again = cli(data, "ledger", "export", "--format", "csv", "--org", "导出学校", "-o", str(out))
    assert "wrote 1 devices" in again.stdout and "一号楼" in out.read_text(encoding="utf-8-sig")


def test_plain_report_file_is_not_imported(data, tmp_path):
    """The unverified `report import` path is gone: a plain report file (no hash, no
    signature) reaches the ledger by no command; `handcarry import` refuses it."""
    import gzip

    from tests.collector.factories import make_identity, make_report

    cli(data, "org", "add", "无网网吧", "--kind", "cafe")
    identity = make_identity("usb-carry", hostname="CAFE-PC-07")
    plain = tmp_path / "report.json.gz"
    plain.write_bytes(gzip.compress(make_report(identity, findings=1).model_dump_json().encode()))
    gone = cli(data, "report", "import", str(plain), "--org", "无网网吧", check=False)
    assert gone.returncode == 1 and "Unknown command: 'report'" in gone.stderr
    refused = cli(data, "handcarry", "import", str(plain), "--org", "无网网吧", check=False)
    assert refused.returncode == 1 and "not imported" in refused.stdout
    with sqlite3.connect(data / "minecheck.sqlite3") as db:
        rows = db.execute("select count(*) from ledger_device where hostname = 'CAFE-PC-07'")
        assert rows.fetchone() == (0,)


def test_commands_are_management_commands(data):
    """`minecheck-server X` and `minecheck-server manage X` are the same Django command, and
    every command the help lists lives in a collector app's management/commands."""
    direct = cli(data, "org", "list")
    managed = cli(data, "manage", "org", "list", "--data", str(data))
    assert direct.stdout == managed.stdout and "测试县教育局" in direct.stdout
    listed = cli(data, "manage", "help", "--commands").stdout.split()
    from collector_server.cli import COMMANDS

    ours = [name for name in COMMANDS if name != "manage"]
    assert set(ours) <= set(listed)
    home = cli(
        data,
        "manage",
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.core.management import get_commands; "
        f"print(' '.join(get_commands()[n] for n in {ours!r}))",
    ).stdout.split()
    assert all(app.startswith("collector_server.") for app in home), home
    usage = cli(data, "--help").stdout
    assert all(f"  {name} " in usage for name in COMMANDS)
