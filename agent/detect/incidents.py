"""Grouping findings into incidents: one incident per miner, its process tree and evidence.

A miner started through wrappers (``bash run.sh`` -> ``timeout`` -> ``python3 miner.py``)
gives evidence on several processes, and the same config file is "seen" by each of them.
Here the tree is rooted at its top-most process that carries evidence, findings repeated for
processes of one tree become one finding, and each tree becomes one :class:`Incident`.
"""

from __future__ import annotations

from typing import Any

from agent.detect import scan_processes
from agent.detect.locations import basename
from agent.detect.verdict import decide
from agent.i18n import N_, localized
from agent.wire.report import Finding, Incident, Strength, VerdictStatus

# Roots of sessions and services: a miner's tree never grows above them.
_SESSION_ROOTS = {
    "systemd",
    "init",
    "sshd",
    "login",
    "cron",
    "crond",
    "gdm",
    "lightdm",
    "sddm",
    "tmux: server",
    "screen",
    "explorer.exe",
    "services.exe",
    "svchost.exe",
    "wininit.exe",
    "winlogon.exe",
}
_MAX_DEPTH = 64
_ORDER = {Strength.strong: 0, Strength.weak: 1, Strength.info: 2}
_PER_FILE = {"miner_config", "yara_file"}


def build_incidents(
    findings: list[Finding], processes: dict[int, Any]
) -> tuple[list[Finding], list[Incident]]:
    """(findings with per-tree repeats merged, one incident per process tree with strong evidence).

    ``processes`` maps pid -> ProcInfo (pid, ppid, name, exe, cmdline, cwd) of the scan."""
    evidence_pids = {
        f.subject.pid for f in findings if f.subject.pid is not None and f.strength != Strength.info
    }
    root_of = {pid: _root(pid, processes, evidence_pids) for pid in evidence_pids}
    merged = _merge_repeats(findings, root_of, processes)
    groups: dict[int, list[int]] = {}
    for i, f in enumerate(merged):
        if f.subject.pid in root_of and f.strength != Strength.info:
            groups.setdefault(root_of[f.subject.pid], []).append(i)
    machine_wide = [f for f in merged if f.subject.pid is None]
    # an incident is a miner: a tree with only weak signs stays a list of findings
    ordered = sorted(
        (root, idx)
        for root, idx in groups.items()
        if any(merged[i].strength == Strength.strong for i in idx)
    )
    incidents = [
        _incident(f"i{n}", root, idx, merged, processes, machine_wide)
        for n, (root, idx) in enumerate(ordered, start=1)
    ]
    return merged, incidents


def _root(pid: int, processes: dict[int, Any], evidence_pids: set[int]) -> int:
    """The top-most ancestor of ``pid`` (itself included) that carries evidence."""
    root, cur, seen = pid, pid, {pid}
    for _ in range(_MAX_DEPTH):
        p = processes.get(cur)
        parent = getattr(p, "ppid", None)
        if parent is None or parent <= 1 or parent in seen or parent not in processes:
            break
        if (processes[parent].name or "").lower() in _SESSION_ROOTS:
            break
        seen.add(parent)
        cur = parent
        if cur in evidence_pids:
            root = cur
    return root


def _merge_repeats(
    findings: list[Finding], root_of: dict[int, int], processes: dict[int, Any]
) -> list[Finding]:
    """A file finding (config, program file) repeated for processes of one tree becomes one
    finding, kept on the process most likely the miner; the others are listed as evidence."""
    kept: dict[tuple, Finding] = {}
    out: list[Finding] = []
    for f in findings:
        s = f.subject
        if f.kind not in _PER_FILE or s.pid not in root_of or not s.file:
            out.append(f)
            continue
        key = (f.kind, s.file, f.rule, root_of[s.pid])
        first = kept.get(key)
        if first is None:
            kept[key] = f
            out.append(f)
            continue
        rank = _rank(f.subject.pid, processes) > _rank(first.subject.pid, processes)
        better, other = (f, first) if rank else (first, f)
        better.evidence.extend(
            e for e in [f"PID {other.subject.pid}", *other.evidence] if e not in better.evidence
        )
        if better is f:
            out[out.index(first)] = f
            kept[key] = f
    return out


def _rank(pid: int | None, processes: dict[int, Any]) -> tuple[int, int]:
    """Prefer a process with its own (non-system) file, then the deeper one in the tree."""
    return (int(_own_file(pid, [], processes) is not None), _depth(pid, processes))


def _depth(pid: int | None, processes: dict[int, Any]) -> int:
    depth, cur, seen = 0, pid, set()
    while cur in processes and cur not in seen and depth < _MAX_DEPTH:
        seen.add(cur)
        cur = processes[cur].ppid
        depth += 1
    return depth


def _incident(
    iid: str,
    root: int,
    indices: list[int],
    findings: list[Finding],
    processes: dict[int, Any],
    machine_wide: list[Finding],
) -> Incident:
    mine = [findings[i] for i in indices]
    strength = min((f.strength for f in mine), key=_ORDER.__getitem__)
    pids = sorted({f.subject.pid for f in mine if f.subject.pid is not None})
    miner_pid = _miner_pid(mine, processes)
    miner = processes.get(miner_pid)
    exe = _own_file(miner_pid, pids, processes)
    files = _unique(
        [f.subject.file for f in mine if f.subject.file]
        + [p for p in (_own_file(q, [q], processes) for q in pids) if p]
    )
    remotes = _unique([f.subject.remote for f in mine if f.subject.remote])
    name = getattr(miner, "name", None) or mine[0].subject.process_name or "?"
    if exe:
        name = basename(exe)
    verdict = decide(mine + machine_wide)
    mining = verdict.status == VerdictStatus.mining
    title = localized(
        N_("Miner {name} (PID {pid}): {count} piece(s) of evidence"),
        name=name,
        pid=miner_pid,
        count=len(mine),
    )
    return Incident(
        id=iid,
        strength=strength,
        title=title,
        mode=verdict.mode if mining else None,
        mode_reason=verdict.mode_reason if mining else None,
        root_pid=root,
        pids=_tree_pids(root, pids, processes),
        exe=exe,
        files=files,
        remotes=remotes,
        findings=sorted(indices),
        action=_action(root, miner_pid, name, files, processes),
    )


def _miner_pid(mine: list[Finding], processes: dict[int, Any]) -> int:
    """The process that is the miner: most strong evidence, then its own file, then depth."""
    strong: dict[int, int] = {}
    for f in mine:
        if f.subject.pid is not None:
            strong[f.subject.pid] = strong.get(f.subject.pid, 0) + (f.strength == Strength.strong)
    return max(strong, key=lambda pid: (strong[pid], *_rank(pid, processes)))


def _own_file(pid: int | None, candidates: list[int], processes: dict[int, Any]) -> str | None:
    """The miner's own file: that of ``pid``, else of another process of the tree."""
    for q in [pid, *candidates]:
        p = processes.get(q) if q is not None else None
        if p is not None:
            path = scan_processes.miner_file(p)
            if path:
                return path
    return None


def _tree_pids(root: int, pids: list[int], processes: dict[int, Any]) -> list[int]:
    """The evidence processes plus every process between them and the root."""
    out = set(pids) | {root}
    for pid in pids:
        cur = pid
        for _ in range(_MAX_DEPTH):
            if cur == root or cur not in processes:
                break
            cur = processes[cur].ppid
            if cur is None:
                break
            out.add(cur)
    return sorted(q for q in out if q == root or q in processes)


def _action(
    root: int, miner_pid: int, name: str, files: list[str], processes: dict[int, Any]
) -> Any:
    root_proc = processes.get(root)
    root_name = getattr(root_proc, "name", None) or name
    listed = ", ".join(files)
    if root != miner_pid:
        if listed:
            return localized(
                N_(
                    "Stop the process tree started by {root} (PID {root_pid}); it runs the miner "
                    "{name} (PID {pid}). Then delete the miner's own files: {files}. Do not "
                    "delete system programs it used ({root} and the like)."
                ),
                root=root_name,
                root_pid=root,
                name=name,
                pid=miner_pid,
                files=listed,
            )
        return localized(
            N_(
                "Stop the process tree started by {root} (PID {root_pid}); it runs the miner "
                "{name} (PID {pid}). Its programs belong to the system: do not delete them, "
                "find what started it."
            ),
            root=root_name,
            root_pid=root,
            name=name,
            pid=miner_pid,
        )
    if listed:
        return localized(
            N_(
                "End process {name} (PID {pid}) and delete the miner's own files: {files}. "
                "Then look for what starts it; mining on this PC is not allowed."
            ),
            name=name,
            pid=miner_pid,
            files=listed,
        )
    return localized(
        N_(
            "End process {name} (PID {pid}); its program belongs to the system, do not delete "
            "it. Then look for what starts it."
        ),
        name=name,
        pid=miner_pid,
    )


def _unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out
