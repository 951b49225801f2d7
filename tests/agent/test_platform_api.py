"""agent.platform: one API, chosen once; every implementation defines all of it; and no OS
check anywhere else in agent/."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

import agent.platform as plat

AGENT = Path(__file__).resolve().parents[2] / "agent"
# token sequences that test the OS (strings and comments are not code and do not count)
OS_CHECKS = (("sys", ".", "platform"), ("os", ".", "name"), ("platform", ".", "system"))
OS_FLAGS = {"IS_WINDOWS", "IS_LINUX"}


def os_checks(path: Path) -> list[str]:
    """'file:line: text' of every OS check in one Python file."""
    text = path.read_text(encoding="utf-8")
    tokens = [
        t for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type in (tokenize.NAME, tokenize.OP)
    ]  # fmt: skip
    found = []
    for i, tok in enumerate(tokens):
        seq = tuple(t.string for t in tokens[i : i + 3])
        preceded_by_dot = i > 0 and tokens[i - 1].string == "."
        if tok.string in OS_FLAGS or (seq in OS_CHECKS and not preceded_by_dot):
            line = text.splitlines()[tok.start[0] - 1].strip()
            found.append(f"{path.relative_to(AGENT.parent)}:{tok.start[0]}: {line}")
    return found


def test_no_os_check_outside_agent_platform() -> None:
    found = [
        hit
        for path in sorted(AGENT.rglob("*.py"))
        if "platform" not in path.relative_to(AGENT).parts[:1]
        for hit in os_checks(path)
    ]
    assert found == [], "OS checks outside agent/platform/:\n" + "\n".join(found)


def test_the_grep_finds_each_kind_of_check(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "AGENT", tmp_path / "agent")
    src = tmp_path / "agent" / "x.py"
    src.parent.mkdir()
    src.write_text(
        'import os, sys, platform\n"sys.platform in a string"  # os.name in a comment\n'
        "a = sys.platform == 'win32'\nb = os.name\nc = platform.system()\nd = plat.IS_WINDOWS\n"
        "e = hw.os.name\n",
        encoding="utf-8",
    )
    assert [h.split(":")[1] for h in os_checks(src)] == ["3", "4", "5", "6"]


@pytest.mark.parametrize("name", plat.NAMES)
def test_every_implementation_defines_the_whole_api(name: str) -> None:
    module = plat._load(name)
    assert name == module.NAME
    missing = [f for f in plat.API if not callable(getattr(module, f, None))]
    assert missing == []
    assert all(callable(getattr(plat, f)) for f in plat.API)


def test_use_switches_and_restores() -> None:
    real = plat.current()
    with plat.use("fake") as fake:
        assert plat.NAME == "fake" and plat.current() is fake
        fake.MACHINE.privileged = True
        assert plat.is_privileged() is True
        with plat.use("windows"):
            assert plat.hosts_file("/x") == r"C:\Windows\System32\drivers\etc\hosts"
        assert plat.NAME == "fake"
    assert plat.current() is real and plat.NAME == real.NAME
    with pytest.raises(ValueError, match="not one of"):
        plat._load("beos")


def test_the_implementation_is_chosen_once_from_the_os_only() -> None:
    assert plat.default_name("win32") == "windows"
    assert plat.default_name("linux") == "linux" and plat.default_name("darwin") == "generic"
    # no environment variable selects another one (it would let a user blind the check)
    code = "import agent.platform as p; print(p.NAME, p.SYS_PLATFORM)"
    env = {**os.environ, "MINECHECK_PLATFORM": "fake"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
        cwd=AGENT.parent,
    ).stdout.split()  # fmt: skip
    assert out == [plat.default_name(), sys.platform]
