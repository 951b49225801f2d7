"""run_detection: wire the scanners, bound their time, dedup findings per subject."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from agent.collectors.base import ScanContext, run_collector
from agent.detect import persistence, scan_configs, scan_connections, scan_processes
from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo, hash_exe, snapshot
from agent.detect.scan_files import scan_file
from agent.detect.scan_memory import scan_process_memory
from agent.i18n import N_, _
from agent.report.model import Finding, Strength, Subject, Utilization

IS_LINUX = sys.platform.startswith("linux")
IS_WINDOWS = sys.platform == "win32"


@dataclass
class DetectionSettings:
    """What the scanners read; tests point these at temp trees and recorded fixtures."""

    root: str = "/"  # Linux filesystem prefix for persistence, ld.so.preload, hosts
    hosts_file: str | None = None
    windows_sources: Any = None  # persistence_windows.WindowsSources (default on Windows)
    # Pool names are NOT resolved by default: DNS queries for pool domains from every PC
    # would look like mining to the network monitoring that issues the notices.
    resolver: scan_connections.Resolver | None = None
    resolve_budget_s: float = 3.0
    dns_cache: Callable[[], dict[str, list[str]]] = scan_connections.read_dns_cache
    memory_cpu_percent: float = 10.0  # memory-scan processes using more (one core = 100)
    high_cpu_percent: float = 80.0  # sustained use that alone is `suspicious`
    invisible_cpu_percent: float = 20.0  # cross-view gap that is `suspicious`
    own_paths: set[str] = field(default_factory=set)
    pids: set[int] | None = None  # restrict to these processes (tests); None = all
    memory_exclude_pids: set[int] = field(default_factory=set)  # never read their memory


def _own_paths(settings: DetectionSettings) -> set[str]:
    paths = set(settings.own_paths)
    try:
        import signatures

        paths.add(str(Path(signatures.__file__).resolve().parent))
    except ImportError:
        pass
    try:
        from agent.paths import agent_home

        paths.add(str(agent_home()))
    except Exception:  # noqa: BLE001 - home may be unset
        pass
    return paths


def run_detection(
    ctx: ScanContext,
    bundle: Any,
    utilization: Utilization | None,
    settings: DetectionSettings | None = None,
) -> list[Finding]:
    """All findings of all scanners; a failing scanner becomes an entry in ctx.errors."""
    settings = settings or DetectionSettings()
    started = time.monotonic()
    deadline = started + max(5.0, ctx.options.time_budget_seconds)
    own = set(ctx.own_pids) | {os.getpid()}
    own_paths = _own_paths(settings)
    findings: list[Finding] = []

    ctx.report_progress(_("Checking running processes"), None)
    procs: list[ProcInfo] = run_collector("processes", lambda c: snapshot(own, deadline), ctx, [])
    if settings.pids is not None:
        procs = [p for p in procs if p.pid in settings.pids]
    by_pid = {p.pid: p for p in procs}

    def per_process(_c: ScanContext) -> list[Finding]:
        out: list[Finding] = []
        for p in procs:
            if time.monotonic() > deadline:
                break
            out += scan_processes.scan_process(p, bundle)
        return out

    findings += run_collector("process_signals", per_process, ctx, [])
    findings += run_collector(
        "miner_configs", lambda c: scan_configs.scan_configs(procs, bundle, own_paths), ctx, []
    )

    ctx.report_progress(_("Checking network connections"), None)
    findings += run_collector(
        "connections", lambda c: _connections(c, bundle, by_pid, own, settings), ctx, []
    )

    ctx.report_progress(_("Checking what starts automatically"), None)
    findings += run_collector("persistence", lambda c: _persistence(bundle, settings), ctx, [])
    if IS_LINUX:
        findings += run_collector("ld_preload", lambda c: _ld_preload(bundle, settings), ctx, [])
    findings += run_collector(
        "utilization", lambda c: _utilization(bundle, utilization, by_pid, settings), ctx, []
    )

    ctx.report_progress(_("Scanning program files with YARA"), None)
    findings += run_collector(
        "yara_files", lambda c: _yara_files(bundle, procs, own_paths, deadline), ctx, []
    )

    ctx.report_progress(_("Scanning process memory with YARA"), None)
    targets = _memory_targets(ctx, procs, findings, utilization, settings)
    findings += run_collector(
        "yara_memory", lambda c: _yara_memory(c, bundle, targets, deadline), ctx, []
    )
    return dedup(_drop_own(findings, own_paths))


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


def _drop_own(findings: list[Finding], own_paths: set[str]) -> list[Finding]:
    def own(path: str | None) -> bool:
        if not path:
            return False
        if any(path == o or path.startswith(o + os.sep) for o in own_paths):
            return True
        try:
            from agent.bundle import is_own_path
        except ImportError:
            return False
        return is_own_path(path)

    return [f for f in findings if not own(f.subject.file)]


def _connections(
    ctx: ScanContext,
    bundle: Any,
    by_pid: dict[int, ProcInfo],
    own: set[int],
    settings: DetectionSettings,
) -> list[Finding]:
    out: list[Finding] = []
    resolved: dict[str, str] = {}
    cache = settings.dns_cache() if settings.dns_cache else {}
    dns_findings, ips = scan_connections.dns_cache_findings(bundle, cache)
    out += dns_findings
    resolved.update(ips)
    if settings.resolver is not None:
        names = [getattr(e, "value", str(e)) for e in _domain_entries(bundle)]
        for name, addrs in settings.resolver(names, settings.resolve_budget_s).items():
            for a in addrs:
                resolved[a] = name
    conns = None
    if settings.pids is not None:
        conns = [c for c in psutil.net_connections(kind="tcp") if c.pid in settings.pids]
    out += scan_connections.connection_findings(bundle, by_pid, own, resolved, conns)
    hosts = settings.hosts_file or (
        r"C:\Windows\System32\drivers\etc\hosts"
        if IS_WINDOWS
        else os.path.join(settings.root, "etc/hosts")
    )
    out += scan_connections.hosts_findings(bundle, hosts)
    return out


def _domain_entries(bundle: Any) -> list[Any]:
    matcher = getattr(bundle, "pool_domains", None)
    if matcher is not None and hasattr(matcher, "__iter__"):
        return list(matcher)
    for attr in ("entries", "domains"):
        value = getattr(matcher, attr, None)
        if value:
            return list(value.values() if isinstance(value, dict) else value)
    return []


def _persistence(bundle: Any, settings: DetectionSettings) -> list[Finding]:
    entries: list[persistence.PersistenceEntry] = []
    out: list[Finding] = []
    src = settings.windows_sources
    if src is None and IS_WINDOWS:
        from agent.detect.persistence_windows import WindowsSources

        src = WindowsSources()
    if src is not None:
        from agent.detect import persistence_windows as pw

        entries += pw.all_entries(src)
        for kind, value, key in pw.defender_exclusions(src):
            out.append(persistence.defender_exclusion_finding(kind, value, key, bundle))
    if IS_LINUX:
        from agent.detect import persistence_linux

        entries += persistence_linux.all_entries(settings.root)
    for e in entries:
        out += persistence.analyze_entry(e, bundle)
    return out


def _ld_preload(bundle: Any, settings: DetectionSettings) -> list[Finding]:
    from agent.detect.persistence_linux import ld_preload

    found = ld_preload(settings.root)
    if not found:
        return []
    path, libs = found
    return [
        make_finding(
            "ld_preload",
            Strength.weak,
            N_("{file} loads {libs} into every program"),
            N_(
                "Rootkits use ld.so.preload to hide miners from the process list. Unless your "
                "administrator set it up, move the library aside, empty {file} and check the "
                "machine with a rootkit scanner."
            ),
            params={"file": path, "libs": ", ".join(libs)},
            subject=Subject(file=path),
            rule="ld_so_preload",
            evidence=libs,
            passive_hint=True,
            bundle=bundle,
        )
    ]


def _utilization(
    bundle: Any, util: Utilization | None, by_pid: dict[int, ProcInfo], settings: DetectionSettings
) -> list[Finding]:
    if util is None:
        return []
    out: list[Finding] = []
    if (util.invisible_cpu_percent or 0) >= settings.invisible_cpu_percent:
        out.append(
            make_finding(
                "hidden_cpu",
                Strength.weak,
                N_("{percent:.0f}% of the CPU is used by processes that cannot be seen"),
                N_(
                    "A hidden process (rootkit) may be mining. Boot from a clean medium or use a "
                    "rootkit scanner, and check ld.so.preload / drivers."
                ),
                params={"percent": util.invisible_cpu_percent},
                rule="cross_view_cpu",
                passive_hint=True,
                bundle=bundle,
            )
        )
    benign = getattr(bundle, "benign_heavy", None) or {}
    for u in util.top_processes:
        heavy_cpu = u.cpu_percent >= settings.high_cpu_percent
        heavy_gpu = (u.gpu_utilization_percent or 0) >= 50
        if not (heavy_cpu or heavy_gpu):
            continue
        name = (u.name or "").lower()
        entry = benign.get(name) or benign.get(name.removesuffix(".exe"))
        p = by_pid.get(u.pid)
        subj = scan_processes.subject_of(p) if p else Subject(pid=u.pid, process_name=u.name)
        params = {
            "name": u.name or "?",
            "pid": u.pid,
            "cpu": u.cpu_percent,
            "gpu": u.gpu_utilization_percent or 0,
        }
        if entry is not None:
            out.append(
                make_finding(
                    "high_load_explained",
                    Strength.info,
                    N_(
                        "{name} (PID {pid}) is busy ({cpu:.0f}% CPU); it is a known heavy "
                        "application"
                    ),
                    N_("No action needed."),
                    params=params,
                    subject=subj,
                    rule=f"benign_heavy:{name}",
                    bundle=bundle,
                )
            )
        else:
            out.append(
                make_finding(
                    "high_load",
                    Strength.weak,
                    N_(
                        "{name} (PID {pid}) kept the processor busy ({cpu:.0f}% CPU, {gpu:.0f}% "
                        "GPU) during the check"
                    ),
                    N_(
                        "High load alone does not prove mining. Check that {name} is a program you "
                        "use (game, video, compiler, training); if not, end it and scan it."
                    ),
                    params=params,
                    subject=subj,
                    rule="sustained_load",
                    bundle=bundle,
                )
            )
    return out


def _rule_strength(bundle: Any, rule: str) -> tuple[Strength, dict]:
    meta: dict = {}
    fn = getattr(bundle, "rule_meta", None)
    if fn is not None:
        try:
            meta = dict(fn(rule) or {})
        except Exception:  # noqa: BLE001 - missing metadata is not fatal
            meta = {}
    weak = str(meta.get("severity", "")).lower() in ("low", "info")
    return (Strength.weak if weak else Strength.strong), meta


def _yara_files(
    bundle: Any, procs: list[ProcInfo], own_paths: set[str], deadline: float
) -> list[Finding]:
    rules = getattr(bundle, "file_rules", None)
    if rules is None:
        return []
    rules_id = str(getattr(bundle, "rules_sha256", "") or id(rules))
    out: list[Finding] = []
    done: dict[str, dict | None] = {}
    for p in procs:
        if time.monotonic() > deadline:
            break
        paths = [p.exe] if p.exe else []
        script = scan_processes.script_path(p)
        if script:
            paths.append(
                script if os.path.isabs(script) or not p.cwd else os.path.join(p.cwd, script)
            )
        for path in paths:
            if any(path.startswith(o + os.sep) for o in own_paths):
                continue
            if path not in done:
                via = f"/proc/{p.pid}/exe" if p.exe_deleted and path == p.exe else None
                sha = hash_exe(p) if path == p.exe else None
                done[path] = scan_file(path, rules, sha, rules_id, via)
            for rule, strings in (done[path] or {}).items():
                strength, meta = _rule_strength(bundle, rule)
                out.append(
                    make_finding(
                        "yara_file",
                        strength,
                        N_("The program file of {name} (PID {pid}) is mining software ({family})"),
                        N_(
                            "{file} is a miner. If a user installed it, uninstall it: mining on "
                            "this PC is not allowed. Otherwise end the process, delete the file "
                            "and find what starts it."
                        ),
                        params={
                            "name": p.name,
                            "pid": p.pid,
                            "family": meta.get("family", rule),
                            "file": path,
                        },
                        subject=scan_processes.subject_of(p).model_copy(update={"file": path}),
                        rule=rule,
                        evidence=strings,
                        bundle=bundle,
                    )
                )
    return out


def _memory_targets(
    ctx: ScanContext,
    procs: list[ProcInfo],
    findings: list[Finding],
    util: Utilization | None,
    settings: DetectionSettings,
) -> list[ProcInfo]:
    by_pid = {p.pid: p for p in procs}
    if ctx.options.deep:
        return [p for p in procs if p.pid not in settings.memory_exclude_pids]
    pids: list[int] = []
    for u in util.top_processes if util else []:
        if (
            u.cpu_percent >= settings.memory_cpu_percent
            or (u.gpu_utilization_percent or 0) >= 20
            or (u.gpu_memory_mb or 0) >= 256
        ):
            pids.append(u.pid)
    pids += [
        f.subject.pid for f in findings if f.subject.pid is not None and f.strength != Strength.info
    ]
    return [
        by_pid[pid]
        for pid in dict.fromkeys(pids)
        if pid in by_pid and pid not in settings.memory_exclude_pids
    ]


def _yara_memory(
    ctx: ScanContext, bundle: Any, targets: list[ProcInfo], deadline: float
) -> list[Finding]:
    rules = getattr(bundle, "memory_rules", None)
    if rules is None or not targets:
        return []
    out: list[Finding] = []
    denied = 0
    for p in targets:
        if time.monotonic() > deadline or p.pid in ctx.own_pids:
            continue
        res = scan_process_memory(p.pid, rules, p.exe, deadline=deadline)
        if res.error == "permission":
            denied += 1
        for rule, strings in res.rules.items():
            strength, meta = _rule_strength(bundle, rule)
            out.append(
                make_finding(
                    "yara_memory",
                    strength,
                    N_("Mining code found in the memory of {name} (PID {pid}): {family}"),
                    N_(
                        "Process {name} is running a miner, even if its file looks harmless "
                        "(packed or injected). End the process, delete {exe} and look for what "
                        "starts it; if nobody here started it, treat the PC as infected."
                    ),
                    params={
                        "name": p.name,
                        "pid": p.pid,
                        "family": meta.get("family", rule),
                        "exe": p.exe or p.name,
                    },
                    subject=scan_processes.subject_of(p),
                    rule=rule,
                    evidence=strings,
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
