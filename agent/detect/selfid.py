"""Recognising another running minecheck agent by what it is, not by its name or hash.

A running agent holds every rule and pool string in memory (compiled YARA rules keep their
literals verbatim), so the memory rules match it. A process counts as another agent when:

- it runs a program byte-identical to ours (the one-file executable started twice), or
- its program is a one-file minecheck build of any version (a PyInstaller archive holding the
  agent's modules and the signature bundle, see agent.detect.frozen_build) and it has the YARA
  extension module mapped (the bootloader's child that loaded the scanner), or
- it is a Python interpreter whose command line runs the ``agent`` package (``-m agent``, the
  ``minecheck`` console script or a script that imports ``agent``), the package it would import
  is a minecheck agent package (``agent/__init__.py`` with ``__version__`` plus the agent's
  distinctive modules, next to the ``signatures`` package), and the process has the YARA
  extension module mapped (it loaded the scanner).

A name (``minecheck``) proves nothing. Recognised instances are still listed in the report and
their network connections are still checked; only their program files and memory are skipped.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import psutil

from agent.detect import frozen_build
from agent.detect.procs import ProcInfo, hash_exe, sha256_file

_PYTHON_NAME = re.compile(r"^python(\d+(\.\d+)*)?w?(\.exe)?$", re.IGNORECASE)
_VERSION = re.compile(r"""^__version__\s*=\s*["']([^"']{1,40})["']""", re.MULTILINE)
_IMPORTS_AGENT = re.compile(r"^\s*(from\s+agent[\s.]|import\s+agent\b)", re.MULTILINE)
_EDITABLE_AGENT = re.compile(r"""["']agent["']\s*:\s*["']([^"']+)["']""")
_AGENT_MODULES = ("detect/engine.py", "detect/scan_memory.py", "bundle/loader.py", "cli")
_SIGNATURES_PARTS = ("__init__.py", "yara/memory")
_OPTIONS_WITH_VALUE = {"-W", "-X", "-Q"}
_MAX_SCRIPT = 64 * 1024


@dataclass(frozen=True)
class AgentInstance:
    """Another running minecheck: how it was recognised and where its program lies."""

    pid: int
    path: str  # the agent package folder, or the executable
    version: str | None
    how: str  # "same_program", "minecheck_build" or "python_package"


def recognise(p: ProcInfo) -> AgentInstance | None:
    """The agent instance ``p`` is, or None when it is not (provably) a minecheck agent."""
    same = _same_program(p)
    if same is not None:
        return same
    build = _frozen_build(p)
    if build is not None:
        return build
    return _python_agent(p)


def _same_program(p: ProcInfo) -> AgentInstance | None:
    if not getattr(sys, "frozen", False) or not p.exe:
        return None
    mine = sha256_file(sys.executable)
    if mine and hash_exe(p) == mine:
        return AgentInstance(p.pid, p.exe, None, "same_program")
    return None


_build_cache: dict[tuple[str, int, int], bool] = {}


def _frozen_build(p: ProcInfo) -> AgentInstance | None:
    if not p.exe or _PYTHON_NAME.match(os.path.basename(p.exe)):
        return None
    try:
        st = os.stat(p.exe)
    except OSError:
        return None
    key = (p.exe, st.st_size, st.st_mtime_ns)
    if key not in _build_cache:
        _build_cache[key] = frozen_build.is_minecheck_build(p.exe)
    if _build_cache[key] and _loaded_yara(p.pid):
        return AgentInstance(p.pid, p.exe, None, "minecheck_build")
    return None


def _python_agent(p: ProcInfo) -> AgentInstance | None:
    if not p.exe or not _PYTHON_NAME.match(os.path.basename(p.exe)) or not p.cmdline:
        return None
    entry = _entry(p.cmdline)
    if entry is None:
        return None
    kind, value = entry
    first: list[Path] = []
    if kind == "module":
        if value != "agent" and not value.startswith("agent."):
            return None
        if p.cwd:
            first.append(Path(p.cwd))
    else:
        script = Path(value if os.path.isabs(value) or not p.cwd else os.path.join(p.cwd, value))
        if not _imports_agent(script):
            return None
        first.append(script.parent)
    package = _find_package(first + _pythonpath(p.pid), _interpreters(p))
    if package is None or not _loaded_yara(p.pid):
        return None
    return AgentInstance(p.pid, str(package), _version(package), "python_package")


def _entry(argv: list[str]) -> tuple[str, str] | None:
    """("module", name) for ``-m name``, ("script", path) for a script; None for -c or none."""
    args = iter(argv[1:])
    for arg in args:
        if arg == "-m":
            name = next(args, None)
            return ("module", name) if name else None
        if arg.startswith("-m"):
            return "module", arg[2:]
        if re.fullmatch(r"-[a-zA-Z]*c", arg):  # -c CODE, possibly after other flags
            return None
        if arg in _OPTIONS_WITH_VALUE:
            next(args, None)
            continue
        if arg.startswith("-"):
            continue
        return "script", arg
    return None


def _imports_agent(script: Path) -> bool:
    try:
        if script.stat().st_size > _MAX_SCRIPT:
            return False
        text = script.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(_IMPORTS_AGENT.search(text))


def _pythonpath(pid: int) -> list[Path]:
    try:
        value = psutil.Process(pid).environ().get("PYTHONPATH", "")
    except (psutil.Error, OSError):
        return []
    return [Path(x) for x in value.split(os.pathsep) if x]


def _interpreters(p: ProcInfo) -> list[Path]:
    """The interpreter as started (argv[0]: keeps a venv's bin/ folder) and as resolved."""
    out = []
    for x in (p.cmdline[0] if p.cmdline else None, p.exe):
        if x and os.path.isabs(x):
            out.append(Path(x))
    return out


def _site_packages(interpreters: list[Path]) -> list[Path]:
    out: list[Path] = []
    for exe in interpreters:
        prefix = exe.parent.parent
        out += sorted(prefix.glob("lib/python3*/site-packages"))
        out += [exe.parent / "Lib" / "site-packages", prefix / "Lib" / "site-packages"]
    return [d for d in dict.fromkeys(out) if d.is_dir()]


def _find_package(path_dirs: list[Path], interpreters: list[Path]) -> Path | None:
    """The ``agent`` package this interpreter would import, if it is a minecheck agent."""
    candidates = [d / "agent" for d in path_dirs]
    for site in _site_packages(interpreters):
        candidates.append(site / "agent")
        for finder in site.glob("__editable__*finder.py"):
            match = _EDITABLE_AGENT.search(_read(finder))
            if match:
                candidates.append(Path(match.group(1)))
    for package in candidates:
        if package.is_dir():  # the first that exists is the one Python imports
            return package.resolve() if _is_agent_package(package) else None
    return None


def _is_agent_package(package: Path) -> bool:
    if _version(package) is None:
        return False
    if not all((package / part).exists() for part in _AGENT_MODULES):
        return False
    signatures = package.parent / "signatures"
    return all((signatures / part).exists() for part in _SIGNATURES_PARTS)


def _version(package: Path) -> str | None:
    match = _VERSION.search(_read(package / "__init__.py"))
    return match.group(1) if match else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[:_MAX_SCRIPT]
    except OSError:
        return ""


def _loaded_yara(pid: int) -> bool:
    """The process has YARA's Python extension module mapped: it loaded the scanner."""
    try:
        maps = psutil.Process(pid).memory_maps(grouped=True)
    except (psutil.Error, OSError, NotImplementedError):
        return False
    for m in maps:
        name = os.path.basename(getattr(m, "path", "") or "").lower()
        if name.startswith("yara") and (".so" in name or name.endswith(".pyd")):
            return True
    return False
