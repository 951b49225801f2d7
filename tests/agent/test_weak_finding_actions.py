"""A weak finding never contradicts the suspicious summary ("do not end programs or delete
files yet"): the action of every finding a scanner can make with weak strength, in English
and in Chinese, does not tell to end, kill or delete anything.

The finding kinds are read from the source (every ``make_finding(...)`` under agent/detect),
so a new weak finding is checked without being listed here. A call whose strength is decided
at run time must pass ``weak_action=``, which replaces the action when the finding is weak.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from agent.i18n import translations

DETECT = Path(__file__).resolve().parents[2] / "agent" / "detect"
FORBIDDEN_EN = re.compile(
    r"\b(end|ends|ending|kill|delete|remove|uninstall|terminate)\b", re.IGNORECASE
)
FORBIDDEN_ZH = re.compile(r"结束|删除|卸载|移除|终止|杀掉|清除")


def _modules() -> dict[str, ast.Module]:
    return {
        str(p.relative_to(DETECT)): ast.parse(p.read_text("utf-8")) for p in DETECT.rglob("*.py")
    }


MODULES = _modules()


def _constants() -> dict[str, list[str]]:
    """Module-level NAME = N_("...") in every detect module (STOP_TREE_ACTION ...)."""
    out: dict[str, list[str]] = {}
    for tree in MODULES.values():
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name):
                    texts = _texts(node.value, None)
                    if texts:
                        out[target.id] = texts
    return out


def _is_n(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("N_", "_")


def _texts(node: ast.AST, fn: ast.AST | None) -> list[str] | None:
    """Every msgid an expression can be; None when it cannot be worked out."""
    if _is_n(node) and isinstance(node.args[0], ast.Constant):
        return [node.args[0].value]
    if isinstance(node, ast.IfExp):
        a, b = _texts(node.body, fn), _texts(node.orelse, fn)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.Attribute):  # scan_processes.STOP_TREE_ACTION
        return CONSTANTS.get(node.attr)
    if isinstance(node, ast.Name):
        if fn is not None:
            found: list[str] = []
            for sub in ast.walk(fn):
                if not isinstance(sub, ast.Assign):
                    continue
                for target in sub.targets:
                    if isinstance(target, ast.Name) and target.id == node.id:
                        texts = _texts(sub.value, None)
                        if texts is None:
                            return None
                        found += texts
                    elif (
                        isinstance(target, ast.Tuple)
                        and target.elts
                        and getattr(target.elts[0], "id", None) == node.id
                        and isinstance(sub.value, ast.Call)
                        and getattr(sub.value.func, "attr", getattr(sub.value.func, "id", ""))
                        == "removal_action"
                    ):  # action, exe = removal_action(p, deletable, protected)
                        for arg in sub.value.args[1:]:
                            texts = _texts(arg, fn)
                            if texts is None:
                                return None
                            found += texts
            if found:
                return found
        return CONSTANTS.get(node.id)
    return None


CONSTANTS: dict[str, list[str]] = {}
CONSTANTS.update(_constants())


def _strength(node: ast.AST) -> str:
    """'weak', 'strong', 'info' for a literal Strength.x; 'runtime' otherwise."""
    if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "Strength":
        return node.attr
    return "runtime"


def _weak_actions() -> list[tuple[str, str, str]]:
    """(where, kind, action msgid) for every action a weak finding can carry."""
    out = []
    for name, tree in MODULES.items():
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(fn):
                if not isinstance(call, ast.Call) or getattr(call.func, "id", "") != "make_finding":
                    continue
                if fn.name == "make_finding":
                    continue
                where = f"{name}:{call.lineno}"
                kind = call.args[0].value if isinstance(call.args[0], ast.Constant) else "?"
                strength = _strength(call.args[1])
                keywords = {k.arg: k.value for k in call.keywords}
                if strength in ("strong", "info"):
                    continue
                if strength == "runtime":
                    assert "weak_action" in keywords, (
                        f"{where} ({kind}): strength decided at run time, so pass weak_action="
                    )
                    action = keywords["weak_action"]
                else:
                    action = call.args[3] if len(call.args) > 3 else keywords["action"]
                texts = _texts(action, fn)
                assert texts, f"{where} ({kind}): cannot tell which action text it uses"
                out += [(where, kind, t) for t in texts]
    return out


WEAK = _weak_actions()


def test_the_source_reading_finds_the_weak_kinds():
    kinds = {kind for _, kind, _ in WEAK}
    # known weak kinds (a sample; the list grows by itself from the source)
    assert {
        "deleted_executable", "hidden_location", "masquerade_path", "high_load",
        "persistence_suspicious", "miner_cmdline", "miner_config", "yara_memory",
        "yara_file_at_rest", "hosts_pool_entry", "undecodable_name",
    } <= kinds  # fmt: skip


@pytest.mark.parametrize(("where", "kind", "msgid"), WEAK, ids=[f"{k}@{w}" for w, k, _ in WEAK])
def test_weak_action_does_not_tell_to_end_or_delete(where, kind, msgid):
    zh = translations("zh").gettext(msgid)
    assert zh != msgid, f"{kind}: no Chinese text for {msgid!r}"
    assert not FORBIDDEN_EN.search(msgid), f"{where} {kind}: {msgid}"
    assert not FORBIDDEN_ZH.search(zh), f"{where} {kind}: {zh}"


def test_a_weak_finding_made_at_run_time_uses_its_weak_action():
    from agent.detect.findings import make_finding
    from agent.wire.report import Strength

    f = make_finding("x", Strength.weak, "t", "end it", weak_action="check it")
    assert f.action.en == "check it"
    f = make_finding("x", Strength.strong, "t", "end it", weak_action="check it")
    assert f.action.en == "end it"
