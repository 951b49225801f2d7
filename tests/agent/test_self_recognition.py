"""Two different agent builds running side by side, each scanning the other with the memory
scan on: neither is flagged; a miner that only calls itself minecheck still is."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from agent.collectors.base import ScanContext, ScanOptions
from agent.detect.engine import DetectionSettings, run_detection
from agent.wire.report import Strength
from tests.fixtures.miners import launch
from tests.fixtures.miners.bundles import detection_bundle
from tests.fixtures.miners.pool import StratumPool

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux /proc needed")

REPO = Path(__file__).resolve().parents[2]
OTHER_VERSION = "9.9.9-selftest"
DRIVER = """\
import json, sys, time
from agent.bundle import load_bundle

bundle = load_bundle()
if sys.argv[1] == "sleep":
    print("ready", flush=True)
    time.sleep(120)
else:
    from agent.collectors.base import ScanContext, ScanOptions
    from agent.detect.engine import DetectionSettings, run_detection

    settings = DetectionSettings(root="/nonexistent", pids={int(sys.argv[2])}, dns_cache=dict,
                                 deep_folders=[sys.argv[3]])
    ctx = ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True))
    found = run_detection(ctx, bundle, None, settings)
    print(json.dumps([[f.kind, f.strength.value] for f in found]), flush=True)
"""


def _other_build(tmp_path: Path) -> Path:
    """A copy of the agent and its bundle with another version: a second, different build."""
    root = tmp_path / "other-build"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "agent", root / "agent", ignore=ignore)
    shutil.copytree(REPO / "signatures", root / "signatures", ignore=ignore)
    init = root / "agent" / "__init__.py"
    init.write_text(
        re.sub(r'__version__ = "[^"]+"', f'__version__ = "{OTHER_VERSION}"', init.read_text())
    )
    (root / "driver.py").write_text(DRIVER)
    return root


def _this_build(tmp_path: Path) -> tuple[Path, dict]:
    """This worktree's agent, imported through PYTHONPATH by a driver in another folder."""
    folder = tmp_path / "this-build"
    folder.mkdir()
    (folder / "driver.py").write_text(DRIVER)
    return folder / "driver.py", {"PYTHONPATH": str(REPO)}


def _start(argv: list[str], cwd: Path, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    assert line.strip() == "ready", "the agent process did not start"
    return proc


def _settings(pid: int, tmp_path: Path) -> DetectionSettings:
    """Only process ``pid``; --deep (memory of every process) without the folder sweep."""
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    return DetectionSettings(
        root="/nonexistent", pids={pid}, dns_cache=dict, deep_folders=[str(empty)]
    )


def _home(tmp_path: Path, name: str) -> dict:
    return {"MINECHECK_HOME": str(tmp_path / name)}


def test_this_build_does_not_flag_another_build(tmp_path):
    other = _other_build(tmp_path)
    proc = _start([sys.executable, "driver.py", "sleep"], other, _home(tmp_path, "h1"))
    try:
        settings = _settings(proc.pid, tmp_path)
        ctx = ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True))
        found = run_detection(ctx, detection_bundle(), None, settings)
    finally:
        launch.stop(proc)
    assert [f.kind for f in found] == ["other_agent_instance"], [f.title.en for f in found]
    listed = found[0]
    assert listed.strength == Strength.info and listed.subject.pid == proc.pid
    assert str((other / "agent").resolve()) in listed.title.en
    assert any(OTHER_VERSION in e for e in listed.evidence)


def test_another_build_does_not_flag_this_build(tmp_path):
    script, env = _this_build(tmp_path)
    target = _start(
        [sys.executable, str(script), "sleep"], script.parent, {**env, **_home(tmp_path, "h1")}
    )
    other = _other_build(tmp_path)
    (tmp_path / "empty").mkdir()
    try:
        scan = subprocess.run(
            [sys.executable, "driver.py", "scan", str(target.pid), str(tmp_path / "empty")],
            cwd=other,
            env={**os.environ, **_home(tmp_path, "h2")},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        launch.stop(target)
    assert scan.returncode == 0, scan.stderr[-2000:]
    assert json.loads(scan.stdout.strip().splitlines()[-1]) == [["other_agent_instance", "info"]]


def test_a_miner_calling_itself_minecheck_is_still_caught(tmp_path):
    """Named minecheck, next to a copied agent package and importing it: still a miner (it
    never loaded the scanner), so the memory scan reports it."""
    folder = _other_build(tmp_path)
    fake = folder / "minecheck"
    fake.write_text("import agent  # noqa\n" + launch.FAKE_MINER.read_text())
    interpreter = launch.copy_interpreter(tmp_path / "bin" / "python3")
    with StratumPool() as pool:
        url = f"stratum+tcp://127.0.0.1:{pool.port}"
        proc = launch.spawn(
            [interpreter, str(fake), "-o", url, "-u", launch.WALLET],
            cwd=folder,
            env={"FAKE_MINER_THROTTLE": "0.05", "PYTHONPATH": str(folder)},
        )
        try:
            launch.wait_logged_in(pool)
            settings = _settings(proc.pid, tmp_path)
            ctx = ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True))
            found = run_detection(ctx, detection_bundle(), None, settings)
        finally:
            launch.stop(proc)
    kinds = {f.kind for f in found}
    assert "yara_memory" in kinds and "other_agent_instance" not in kinds, kinds


def _one_file_build(tmp_path: Path) -> Path:
    """A program file shaped like another version's one-file executable: an interpreter with a
    PyInstaller archive (written by PyInstaller's own writers) holding the agent's modules and
    the signature bundle."""
    from PyInstaller.archive.writers import CArchiveWriter, ZlibArchiveWriter

    modules = {"agent": REPO / "agent" / "__init__.py"}
    for name in ("detect/engine", "detect/scan_memory", "bundle/loader", "bundle/rules"):
        modules["agent." + name.replace("/", ".")] = REPO / "agent" / f"{name}.py"
    code = {name: compile(path.read_text(), str(path), "exec") for name, path in modules.items()}
    pyz = tmp_path / "PYZ-00.pyz"
    entries = [(name, str(path), "PYMODULE") for name, path in modules.items()]
    ZlibArchiveWriter(str(pyz), entries, code_dict=code)
    packed = tmp_path / "packed.bin"
    packed.write_bytes(os.urandom(4096))
    pkg = tmp_path / "PKG-00.pkg"
    CArchiveWriter(
        str(pkg),
        [
            ("PYZ-00.pyz", str(pyz), False, "z"),
            ("signatures/packed.bin", str(packed), True, "x"),
        ],
        "libpython3.so",
    )
    exe = Path(launch.copy_interpreter(tmp_path / "dist" / "minecheck-0.0.9"))
    with open(exe, "ab") as fh:
        fh.write(pkg.read_bytes())
    return exe


def _site_env() -> dict:
    import sysconfig

    return {"PYTHONPATH": os.pathsep.join([str(REPO), sysconfig.get_paths()["purelib"]])}


def test_another_version_of_the_one_file_exe_is_not_flagged(tmp_path):
    exe = _one_file_build(tmp_path)
    script, _ = _this_build(tmp_path)
    env = {**_site_env(), **_home(tmp_path, "h1")}
    proc = _start([str(exe), str(script), "sleep"], script.parent, env)
    try:
        found = run_detection(
            ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True)),
            detection_bundle(),
            None,
            _settings(proc.pid, tmp_path),
        )
    finally:
        launch.stop(proc)
    assert [(f.kind, f.subject.pid) for f in found] == [("other_agent_instance", proc.pid)]
    assert str(exe) in found[0].title.en


def test_a_miner_carrying_a_copied_archive_is_still_caught(tmp_path):
    """The archive alone proves nothing: a miner that never loaded the scanner is reported."""
    exe = _one_file_build(tmp_path)
    with StratumPool() as pool:
        url = f"stratum+tcp://127.0.0.1:{pool.port}"
        proc = launch.spawn(
            [str(exe), str(launch.FAKE_MINER), "-o", url, "-u", launch.WALLET],
            env={"FAKE_MINER_THROTTLE": "0.05"},
        )
        try:
            launch.wait_logged_in(pool)
            found = run_detection(
                ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True)),
                detection_bundle(),
                None,
                _settings(proc.pid, tmp_path),
            )
        finally:
            launch.stop(proc)
    kinds = {f.kind for f in found}
    assert "yara_memory" in kinds and "other_agent_instance" not in kinds, kinds


def _wait_connected(pid: int, port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        conns = psutil.net_connections(kind="tcp")
        if any(c.pid == pid and c.raddr and c.raddr.port == port for c in conns):
            return
        time.sleep(0.1)
    raise AssertionError(f"process {pid} did not connect to port {port}")


def test_a_recognised_instance_still_has_its_pool_connections_checked(tmp_path, monkeypatch):
    """The same program started twice is skipped as minecheck, but a connection it holds to a
    pool is still reported (before, the whole process was treated as our own)."""
    agent_exe = launch.copy_interpreter(tmp_path / "minecheck")
    with StratumPool() as pool:
        code = (
            "import socket, time\n"
            f"s = socket.create_connection(('127.0.0.1', {pool.port}))\n"
            "time.sleep(60)\n"
        )
        proc = launch.spawn([agent_exe, "-c", code])
        try:
            _wait_connected(proc.pid, pool.port)
            monkeypatch.setattr(sys, "frozen", True, raising=False)
            monkeypatch.setattr(sys, "executable", agent_exe)
            settings = _settings(proc.pid, tmp_path)
            settings.resolver = lambda names, budget: {"pool.minexmr.example": ["127.0.0.1"]}
            found = run_detection(
                ScanContext(options=ScanOptions(time_budget_seconds=60)),
                detection_bundle(),
                None,
                settings,
            )
        finally:
            launch.stop(proc)
    kinds = {f.kind: f for f in found}
    assert "other_agent_instance" in kinds, list(kinds)
    assert kinds["pool_connection"].strength == Strength.strong
    assert kinds["pool_connection"].subject.pid == proc.pid


def test_an_agent_imported_from_the_interpreters_install_is_recognised(tmp_path):
    """A pip (here: editable) install: the script's folder has no agent package, the
    interpreter's site-packages leads to it."""
    script, _ = _this_build(tmp_path)
    env = {**_home(tmp_path, "h1"), "PYTHONPATH": ""}
    venv_python = str(Path(sys.prefix) / "bin" / "python")
    proc = _start([venv_python, str(script), "sleep"], script.parent, env)
    try:
        found = run_detection(
            ScanContext(options=ScanOptions(time_budget_seconds=60, deep=True)),
            detection_bundle(),
            None,
            _settings(proc.pid, tmp_path),
        )
    finally:
        launch.stop(proc)
    assert [f.kind for f in found] == ["other_agent_instance"], [f.title.en for f in found]
    assert str(REPO / "agent") in found[0].title.en
