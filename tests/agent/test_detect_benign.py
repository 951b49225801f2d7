"""Benign fixtures (heavy workloads, miner words, a local server on a mining port) never get
`mining`; `suspicious` only with a stated reason."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from agent.bundle.entries import Entry
from agent.wire.report import Strength, VerdictStatus
from tests.fixtures.miners import launch
from tests.fixtures.miners.bundles import detection_bundle
from tests.fixtures.miners.conftest_helpers import detect, kinds

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux /proc needed")
HERE = Path(__file__).resolve().parents[1] / "fixtures" / "miners"


def _assert_not_mining(findings, verdict):
    assert verdict.status != VerdictStatus.mining, [f.title.en for f in findings]
    assert not kinds(findings, Strength.strong)
    if verdict.status == VerdictStatus.suspicious:
        assert verdict.reasons and all(r.en and r.zh for r in verdict.reasons)


def _run_heavy(argv, tmp_path, **settings):
    proc = launch.spawn(argv)
    try:
        time.sleep(0.3)
        assert proc.poll() is None, "workload ended too early"
        pids = [proc.pid] + [
            c.pid for c in __import__("psutil").Process(proc.pid).children(recursive=True)
        ]
        util = launch.measure(pids, 0.7)
        assert util.top_processes and util.top_processes[0].cpu_seconds > 0
        findings, verdict, _ = detect(pids, tmp_path, util, **settings)
        return findings, verdict
    finally:
        launch.stop(proc)


@pytest.mark.parametrize(("tool", "mb"), [(["xz", "-9e", "-T1"], 40), (["gzip", "-9"], 120)])
def test_compression(tmp_path, tool, mb):
    data = tmp_path / "data.bin"
    data.write_bytes(os.urandom(1 << 20) * mb)
    findings, verdict = _run_heavy([*tool, "-c", "-k", str(data)], tmp_path)
    _assert_not_mining(findings, verdict)


def test_gcc_compile(tmp_path):
    src = tmp_path / "pool.c"
    body = "\n".join(
        f"int f{i}(int x) {{ return x * {i} + (x >> 3) ^ {i * 7}; }}" for i in range(40000)
    )
    src.write_text(body + "\nint main(void) { return f1(2); }\n")
    findings, verdict = _run_heavy(
        ["gcc", "-O2", "-c", str(src), "-o", str(tmp_path / "pool")], tmp_path
    )
    _assert_not_mining(findings, verdict)


def test_numeric_loop_is_at_most_suspicious_with_reason(tmp_path):
    code = "x=0\nwhile True:\n    x = (x * 1103515245 + 12345) % 2**31\n"
    # 2 cores shared with other jobs: the threshold is lowered so the check does not depend
    # on how busy the machine is
    findings, verdict = _run_heavy([launch.PYTHON, "-c", code], tmp_path, high_cpu_percent=1)
    _assert_not_mining(findings, verdict)
    assert verdict.status == VerdictStatus.suspicious
    assert "high_load" in kinds(findings, Strength.weak)


def test_process_holding_a_miner_readme_is_not_mining(tmp_path):
    findings, verdict = _run_heavy(
        [launch.PYTHON, str(HERE / "benign_reader.py"), str(HERE / "xmrig_README.md")], tmp_path
    )
    _assert_not_mining(findings, verdict)
    assert "yara_memory" not in kinds(findings)


@pytest.mark.parametrize(
    "argv",
    [
        ["kubectl", "get", "pods", "-o", "pool.yaml"],
        ["gcc", "pool.c", "-o", "pool"],
        ["zpool", "import", "-c", "/etc/zfs/zpool.cache", "tank"],
        ["curl", "-o", "page.html", "https://shop.notbtc.com/help"],
        ["python3", "train.py", "--algo", "adam", "--pool", "max"],
    ],
)
def test_command_lines_that_mention_miner_words(tmp_path, argv):
    # sh keeps running with the spoofed command line; `sleep` is its child
    proc = subprocess.Popen(
        [argv[0], "-c", "sleep 20; :", *argv[1:]], executable="/bin/sh", start_new_session=True
    )
    try:
        time.sleep(0.2)
        findings, verdict, _ = detect([proc.pid], tmp_path, None)
        assert " ".join(argv[1:]) in " ".join(
            Path(f"/proc/{proc.pid}/cmdline").read_text().split("\0")
        )
    finally:
        launch.stop(proc)
    assert verdict.status == VerdictStatus.clean, [f.title.en for f in findings]


class _ProxyBundle:
    """The test bundle with one extra mining port."""

    def __init__(self, bundle, port):
        self._b, self.mining_ports = bundle, {**bundle.mining_ports, port: Entry(str(port))}

    def __getattr__(self, name):
        return getattr(self._b, name)


def _listen_3333_or_random() -> socket.socket:
    srv = socket.socket()
    try:
        srv.bind(("127.0.0.1", 3333))
    except OSError:
        srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    return srv


def test_benign_server_on_a_mining_port_is_only_weak(tmp_path):
    srv = _listen_3333_or_random()
    port = srv.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(srv.accept()[0]), daemon=True).start()
    code = (
        f"import socket,time\ns=socket.create_connection(('127.0.0.1',{port}))\n"
        "s.sendall(b'GET / HTTP/1.0\\r\\n')\ntime.sleep(20)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
    try:
        time.sleep(0.5)
        findings, verdict, _ = detect(
            [proc.pid], tmp_path, None, bundle=_ProxyBundle(detection_bundle(), port)
        )
    finally:
        launch.stop(proc)
        for s in accepted:
            s.close()
        srv.close()
    conn = [f for f in findings if f.kind == "mining_port_connection"]
    assert conn and conn[0].strength == Strength.weak
    assert conn[0].subject.remote == f"127.0.0.1:{port}"
    assert verdict.status == VerdictStatus.suspicious
