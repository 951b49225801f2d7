"""Shared pytest set-up. Area-specific fixtures live in tests/<area>/conftest.py."""

from __future__ import annotations

import sys
import time
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


@pytest.fixture(autouse=True)
def _no_leftover_fixture_processes(request):
    """A test that leaves a miner-like fixture process running fails (and the process is
    killed): one left behind makes every later whole-machine scan say `mining`."""
    yield
    launch = sys.modules.get("tests.fixtures.miners.launch")
    if launch is None:
        return
    left = launch.leftovers()
    # A group just sent SIGKILL can take a moment to die on a loaded machine: give it that.
    deadline = time.monotonic() + 3
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = launch.leftovers()
    if not left:
        return
    described = []
    for p in left:
        try:
            described.append(f"{p.pid}: {' '.join(p.cmdline())[:200]}")
            p.kill()
        except Exception:  # noqa: BLE001 - gone meanwhile
            continue
    pytest.fail("fixture processes left running: " + "; ".join(described), pytrace=False)


@pytest.fixture
def fake_platform():
    """The scripted machine of agent.platform.fake, selected for this test; its MACHINE."""
    import agent.platform

    with agent.platform.use("fake") as fake:
        yield fake.MACHINE


@pytest.fixture
def platform_as():
    """``platform_as("windows")`` selects that agent.platform implementation for the test
    (Windows code runs over recorded fixtures the test installs)."""
    import contextlib

    import agent.platform

    with contextlib.ExitStack() as stack:
        yield lambda name: stack.enter_context(agent.platform.use(name))
