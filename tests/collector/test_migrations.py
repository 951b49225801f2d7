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
