"""Shared pytest set-up. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def python_exe() -> str:
    return sys.executable


@pytest.fixture(autouse=True, scope="session")
def _isolated_agent_home(tmp_path_factory):
    """Tests never touch the system folders (/etc/minecheck, %ProgramData%\\minecheck)."""
    import os

    if "MINECHECK_HOME" in os.environ:
        yield
        return
    home = tmp_path_factory.mktemp("minecheck-home")
    os.environ["MINECHECK_HOME"] = str(home)
    try:
        yield
    finally:
        os.environ.pop("MINECHECK_HOME", None)
