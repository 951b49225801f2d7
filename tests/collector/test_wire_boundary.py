"""The collector imports nothing from the agent but the wire package (agent/wire/).

Every message both sides exchange lives in ``agent.wire``; the collector reaching into any
other agent module (agent.transport, agent.bundle, ...) couples it to the agent's internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COLLECTOR = ROOT / "collector_server"
_DYNAMIC = {"import_module", "__import__"}


def _allowed(module: str) -> bool:
    return module == "agent.wire" or module.startswith("agent.wire.")


def _from_agent(module: str) -> bool:
    return module == "agent" or module.startswith("agent.")


def agent_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of an agent module other than agent.wire in
    ``source``, at any depth (function-local imports too) and through importlib."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                (node.lineno, a.name)
                for a in node.names
                if _from_agent(a.name) and not _allowed(a.name)
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "agent":
                found += [(node.lineno, f"agent.{a.name}") for a in node.names if a.name != "wire"]
            elif _from_agent(node.module) and not _allowed(node.module):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                name in _DYNAMIC
                and isinstance(arg, ast.Constant)
                and isinstance(arg.value, str)
                and _from_agent(arg.value)
                and not _allowed(arg.value)
            ):
                found.append((node.lineno, arg.value))
    return found


def test_the_checker_finds_every_kind_of_agent_import():
    source = (
        "import agent.bundle.loader\n"
        "from agent.transport.handcarry import verify\n"
        "from agent import i18n, wire\n"
        "def f():\n"
        "    from agent.bundle import lists\n"
        "    importlib.import_module('agent.report.render')\n"
        "import agent.wire.report\n"
        "from agent.wire.bundle import BundleManifest\n"
        "from agent import wire\n"
        "from agentish import x\n"
    )
    assert sorted(m for _, m in agent_imports(source)) == [
        "agent.bundle",
        "agent.bundle.loader",
        "agent.i18n",
        "agent.report.render",
        "agent.transport.handcarry",
    ]


def test_collector_imports_only_agent_wire():
    files = sorted(COLLECTOR.rglob("*.py"))
    assert len(files) > 20  # the walk sees the collector's code
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in agent_imports(path.read_text(encoding="utf-8"))
    ]
    assert offending == [], "the collector may import only agent.wire from the agent:\n" + (
        "\n".join(offending)
    )
