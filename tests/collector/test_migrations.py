"""Every model change has its migration committed (a fresh database is built from them)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_no_model_change_lacks_a_migration(tmp_path):
    env = {**os.environ, "MINECHECK_DATA": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "manage",
            "makemigrations",
            "--check",
            "--dry-run",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _manage(data, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINECHECK_DATA": str(data)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", "manage", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_an_install_from_before_the_restructure_keeps_its_rows(tmp_path):
    """The renamed apps keep their labels (ingest, distribution) and tables; the held
    hand-carry files moved from signatures to reports by state-only migrations, so rows
    written before the move are read by the new model."""
    import sqlite3

    _manage(tmp_path, "migrate", "distribution", "0002", "--verbosity", "0")
    _manage(tmp_path, "migrate", "ingest", "0002", "--verbosity", "0")
    with sqlite3.connect(tmp_path / "minecheck.sqlite3") as db:
        db.execute(
            "insert into distribution_heldhandcarry (sha256, data, report_id, fingerprint, "
            "hostname, verdict, public_key, reason, received_at, status) values "
            "('ab', x'00', '6f1c1c9e1d7f4c539d560a4c1bb1f1a0', 'fp', 'PC-1', 'clean', 'k', "
            "'no key', '2026-12-01 10:00:00', 'held')"
        )
    _manage(tmp_path, "migrate", "--verbosity", "0")
    shown = _manage(tmp_path, "showmigrations", "ingest", "distribution").stdout
    assert "[ ]" not in shown and "0003_heldhandcarry_from_distribution" in shown
    out = _manage(
        tmp_path,
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from collector_server.reports.models import HeldHandcarry, Report; "
        "print(HeldHandcarry._meta.db_table, Report._meta.db_table, "
        "list(HeldHandcarry.objects.values_list('hostname', flat=True)))",
    ).stdout
    assert out.split() == ["distribution_heldhandcarry", "ingest_report", "['PC-1']"]
