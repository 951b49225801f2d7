"""YARA memory rules over the memory of busy or already suspicious processes (--deep: all),
through the OS reader of agent.platform."""

from __future__ import annotations

import time

from agent.detect import scan_processes
from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo
from agent.detect.scan_memory import scan_process_memory
from agent.detect.scanners.base import Scanner, ScanRun
from agent.detect.scanners.yara_matches import grouped
from agent.i18n import N_
from agent.wire.report import Finding, Strength


def targets(run: ScanRun) -> list[ProcInfo]:
    """Whose memory is read: busy processes and those other scanners found something on."""
    settings = run.settings
    by_pid = {p.pid: p for p in run.procs}
    if run.ctx.options.deep:
        return [p for p in run.procs if p.pid not in settings.memory_exclude_pids]
    pids: list[int] = []
    for u in run.utilization.top_processes if run.utilization else []:
        if (
            u.cpu_percent >= settings.memory_cpu_percent
            or (u.gpu_utilization_percent or 0) >= 20
            or (u.gpu_memory_mb or 0) >= 256
        ):
            pids.append(u.pid)
    pids += [
        f.subject.pid
        for f in run.findings
        if f.subject.pid is not None and f.strength != Strength.info
    ]
    return [
        by_pid[pid]
        for pid in dict.fromkeys(pids)
        if pid in by_pid and pid not in settings.memory_exclude_pids
    ]


def run(run: ScanRun) -> list[Finding]:
    ctx, bundle = run.ctx, run.bundle
    rules = bundle.memory_rules
    chosen = targets(run)
    if not chosen:
        return []
    out: list[Finding] = []
    denied = 0
    for p in chosen:
        if time.monotonic() > run.deadline or p.pid in ctx.own_pids:
            continue
        res = scan_process_memory(p.pid, rules, p.exe, deadline=run.deadline)
        if res.error == "permission":
            denied += 1
        if not res.rules:
            continue
        strength, families, rules_text, evidence = grouped(bundle, res.rules)
        action, exe = scan_processes.removal_action(
            p,
            N_(
                "Process {name} is running a miner, even if its file looks harmless "
                "(packed or injected). End the process, delete {exe} and look for what "
                "starts it; if nobody here started it, treat the PC as infected."
            ),
            scan_processes.STOP_TREE_ACTION,
        )
        out.append(
            make_finding(
                "yara_memory",
                strength,
                N_("Mining code found in the memory of {name} (PID {pid}): {family}"),
                action,
                weak_action=scan_processes.WEAK_PROCESS_ACTION,
                params={"name": p.name, "pid": p.pid, "family": families, "exe": exe},
                subject=scan_processes.subject_of(p),
                rule=rules_text,
                evidence=evidence,
                bundle=bundle,
            )
        )
    if denied:
        ctx.add_limitation(
            N_(
                "Memory of {count} process(es) could not be scanned without "
                "administrator/root rights."
            ),
            count=denied,
        )
    return out


SCANNER = Scanner(
    name="yara_memory",
    run=run,
    needs=("memory_rules",),
    progress=N_("Scanning process memory with YARA"),
    required=N_("the YARA scan of process memory"),
)
