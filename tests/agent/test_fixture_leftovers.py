"""The leftover-process guard (tests/conftest.py) judges only this test run's fixture
processes: another pytest on the same machine keeps its own running."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.fixtures.miners import launch


def test_leftovers_are_this_runs_fixture_processes_only():
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    other_run = subprocess.Popen(
        sleeper, env={**os.environ, launch.FIXTURE_MARK: "pytest-1"}, start_new_session=True
    )
    ours = launch.spawn(sleeper)
    try:
        left = {p.pid for p in launch.leftovers()}
        assert ours.pid in left
        assert other_run.pid not in left
    finally:
        launch.stop(ours)
        other_run.kill()
        other_run.wait(10)
    assert ours.pid not in {p.pid for p in launch.leftovers()}
