"""Memory rules against real running processes (YARA reading the memory of a live process):
a process holding a miner's program image is named; a process holding a miner's README word by
word (as an editor or browser does) is not."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yara

from agent.bundle import load_bundle
from tests.agent.test_rules_match import README_TEXT, interpreter_heap, strong
from tests.agent.test_rules_samples import memory_image

# The holder imports nothing from the tests: the only miner strings in its memory are the
# ones it reads from the file given to it.
HOLDER = """
import sys, time
with open(sys.argv[1], "rb") as fh:
    held = bytearray(fh.read())
words = held.decode("utf-8", "replace").split() if sys.argv[2] == "words" else []
print("ready", flush=True)
time.sleep(120)
"""


def _spawn(tmp_path: Path, name: str, data: bytes, mode: str) -> subprocess.Popen:
    path = tmp_path / name
    path.write_bytes(data)
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), mode], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    path.unlink()  # like a miner deleting its config: only memory holds it now
    return proc


def _scan(rules: yara.Rules, pid: int) -> list:
    try:
        return rules.match(pid=pid, timeout=60)
    except yara.Error as exc:
        pytest.skip(f"this machine does not allow reading another process's memory: {exc}")


@pytest.mark.slow
def test_memory_rules_on_real_processes(tmp_path: Path) -> None:
    bundle = load_bundle(tmp_path / "home")
    procs = [
        _spawn(tmp_path, "image.bin", memory_image("xmrig"), "bytes"),
        _spawn(tmp_path, "readme.md", README_TEXT.encode(), "words"),
        _spawn(tmp_path, "heap.bin", interpreter_heap(README_TEXT), "bytes"),
    ]
    try:
        started = time.perf_counter()
        assert "minecheck_mem_xmrig" in strong(_scan(bundle.memory_rules, procs[0].pid))
        assert strong(_scan(bundle.memory_rules, procs[1].pid)) == []
        assert strong(_scan(bundle.memory_rules, procs[2].pid)) == []
        assert time.perf_counter() - started < 120  # sanity bound, not a benchmark
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
