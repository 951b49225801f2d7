"""run_detection: orchestration only. Take the process snapshot, run the declared scanners
(agent.detect.scanners.SCANNERS) each within the deadline and the failure boundary of
run_collector, then drop the agent's own files, dedup per subject and group one program's
processes. What each scanner looks for lives in its own module."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import agent.platform as plat
import signatures
from agent.bundle import is_own_path
from agent.collectors.base import ScanContext, run_collector
from agent.detect import scan_connections, selfid
from agent.detect.procs import ProcInfo, snapshot
from agent.detect.scanners import SCANNERS, OtherAgent, Scanner, ScanRun
from agent.i18n import N_, _
from agent.paths import home_dir
from agent.wire.report import Finding, Strength, Utilization

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle

MIN_TIME_BUDGET_S = 5.0  # detection always gets at least this long


@dataclass
class DetectionSettings:
    """What the scanners read; tests point these at temp trees and recorded fixtures."""

    root: str = "/"  # Linux filesystem prefix for persistence, ld.so.preload, hosts
    hosts_file: str | None = None
    windows_sources: Any = None  # agent.platform.windows.persistence.WindowsSources (tests)
    # Pool names are NOT resolved by default: DNS queries for pool domains from every PC
    # would look like mining to the network monitoring that issues the notices.
    # MINECHECK_RESOLVE_POOLS=1 turns it on (bounded by resolve_budget_s, cached an hour).
    resolver: scan_connections.Resolver | None = field(
        default_factory=lambda: (
            scan_connections.resolve_all
            if os.environ.get("MINECHECK_RESOLVE_POOLS") == "1"
            else None
        )
    )
    resolve_budget_s: float = 3.0
    dns_cache: Callable[[], dict[str, list[str]]] = scan_connections.read_dns_cache
    memory_cpu_percent: float = 10.0  # memory-scan processes using more (one core = 100)
    high_cpu_percent: float = 80.0  # sustained use that alone is `suspicious`
    invisible_cpu_percent: float = 20.0  # cross-view gap (% of one core) that is `suspicious`
    own_paths: set[str] = field(default_factory=set)
    pids: set[int] | None = None  # restrict to these processes (tests); None = all
    deep_folders: list[str] | None = None  # --deep: folders whose programs are scanned
    deep_max_files: int = 5000
    memory_exclude_pids: set[int] = field(default_factory=set)  # never read their memory


def _own_paths(settings: DetectionSettings) -> set[str]:
    paths = set(settings.own_paths)
    paths.add(str(Path(signatures.__file__).resolve().parent))
    paths.add(str(home_dir().resolve()))  # the spool, caches, installed bundles
    return paths


def new_run(
    bundle: LoadedBundle,
    settings: DetectionSettings | None = None,
    ctx: ScanContext | None = None,
    utilization: Utilization | None = None,
    deadline: float | None = None,
    procs: list[ProcInfo] | None = None,
) -> ScanRun:
    """A ScanRun over ``procs`` (other minecheck agents split off), as run_detection makes
    one; tests run a single scanner on it."""
    ctx = ctx or ScanContext()
    settings = settings or DetectionSettings()
    if deadline is None:
        deadline = time.monotonic() + max(MIN_TIME_BUDGET_S, ctx.options.time_budget_seconds)
    kept, others = _split_other_agent_instances(procs or [])
    return ScanRun(
        ctx=ctx,
        bundle=bundle,
        settings=settings,
        utilization=utilization,
        deadline=deadline,
        own_pids=set(ctx.own_pids) | {os.getpid()},
        own_paths=_own_paths(settings),
        procs=kept,
        # Other agents' connections are still checked: a fake "agent" cannot hide its pool.
        by_pid={p.pid: p for p in kept} | {o.pid: o.process for o in others},
        others=others,
    )


def run_scanner(scanner: Scanner, run: ScanRun) -> list[Finding]:
    """One scanner inside run_collector: a failure becomes an entry in ctx.errors."""
    if scanner.progress:
        run.ctx.report_progress(_(scanner.progress), None)
    if not scanner.applies(run, plat.NAME):
        return []
    found = run_collector(scanner.name, lambda c: scanner.run(run), run.ctx, [])
    run.findings += found
    return found


def run_detection(
    ctx: ScanContext,
    bundle: LoadedBundle,
    utilization: Utilization | None,
    settings: DetectionSettings | None = None,
) -> list[Finding]:
    """All findings of all scanners; a failing scanner becomes an entry in ctx.errors."""
    settings = settings or DetectionSettings()
    started = time.monotonic()
    deadline = started + max(MIN_TIME_BUDGET_S, ctx.options.time_budget_seconds)
    own = set(ctx.own_pids) | {os.getpid()}

    ctx.report_progress(_("Checking running processes"), None)
    procs: list[ProcInfo] = run_collector("processes", lambda c: snapshot(own, deadline), ctx, [])
    if settings.pids is not None:
        procs = [p for p in procs if p.pid in settings.pids]
    run = new_run(bundle, settings, ctx, utilization, deadline, procs)
    ctx.processes = run.by_pid
    for scanner in SCANNERS:
        run_scanner(scanner, run)
    if time.monotonic() > deadline:
        # Not a limitation: what was not checked may be the miner (verdict `incomplete`).
        ctx.add_error(
            "detection",
            "timeout",
            N_(
                "Detection reached its time limit of {seconds:.0f} s; some processes or files "
                "were not checked."
            ),
            seconds=deadline - started,
        )
    return group_same_program(dedup(_drop_own(run.findings, run.own_paths)))


def _split_other_agent_instances(
    procs: list[ProcInfo],
) -> tuple[list[ProcInfo], list[OtherAgent]]:
    """Other running minecheck agents (they hold every rule in memory) apart from the rest:
    their program files and memory are not scanned (see agent.detect.selfid)."""
    kept: list[ProcInfo] = []
    instances: list[OtherAgent] = []
    for p in procs:
        agent = selfid.recognise(p)
        if agent is None:
            kept.append(p)
        else:
            instances.append(OtherAgent(p, agent))
    return kept, instances


def dedup(findings: list[Finding]) -> list[Finding]:
    """One finding per (kind, subject, rule); the stronger one wins."""
    order = {Strength.strong: 0, Strength.weak: 1, Strength.info: 2}
    best: dict[tuple, Finding] = {}
    for f in findings:
        s = f.subject
        key = (f.kind, s.pid, s.file, s.remote, s.registry_key, s.persistence, s.domain, f.rule)
        if key not in best or order[f.strength] < order[best[key].strength]:
            best[key] = f
    return sorted(best.values(), key=lambda f: (order[f.strength], f.subject.pid or 0, f.kind))


def group_same_program(findings: list[Finding]) -> list[Finding]:
    """Weak findings about many processes of one program (same kind, rule and program file)
    become one finding that lists the other PIDs: one program, one line for a person to read."""
    grouped: dict[tuple, Finding] = {}
    out: list[Finding] = []
    for f in findings:
        s = f.subject
        if f.strength is Strength.strong or not s.exe or s.file or s.remote or s.persistence:
            out.append(f)
            continue
        key = (f.kind, f.rule, s.exe)
        first = grouped.get(key)
        if first is None:
            grouped[key] = f
            out.append(f)
        else:
            first.evidence.append(f"PID {s.pid}")
    return out


def _drop_own(findings: list[Finding], own_paths: set[str]) -> list[Finding]:
    def own(path: str | None) -> bool:
        if not path:
            return False
        if any(path == o or path.startswith(o + os.sep) for o in own_paths):
            return True
        return is_own_path(path)

    return [f for f in findings if not own(f.subject.file)]
