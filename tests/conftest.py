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
