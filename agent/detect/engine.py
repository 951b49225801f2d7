"""run_detection: wire the scanners, bound their time, dedup findings per subject."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

import agent.platform as plat
import signatures
from agent.bundle import is_own_path
from agent.collectors.base import ScanContext, run_collector
from agent.detect import (
    persistence,
    scan_configs,
    scan_connections,
    scan_names,
    scan_processes,
    selfid,
)
from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo, hash_exe, snapshot
from agent.detect.scan_files import scan_file
from agent.detect.scan_memory import scan_process_memory
from agent.i18n import N_, _
from agent.wire.report import Finding, Strength, Subject, Utilization

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
    deadline = started + max(MIN_TIME_BUDGET_S, ctx.options.time_budget_seconds)
    own = set(ctx.own_pids) | {os.getpid()}
    own_paths = _own_paths(settings)

    ctx.report_progress(_("Checking running processes"), None)
    procs: list[ProcInfo] = run_collector("processes", lambda c: snapshot(own, deadline), ctx, [])
    if settings.pids is not None:
        procs = [p for p in procs if p.pid in settings.pids]
    procs, instances = _split_other_agent_instances(procs)
    # Other agents' connections are still checked: a fake "agent" cannot hide its pool.
    by_pid = {p.pid: p for p in procs} | {i.pid: i.process for i in instances}
    findings: list[Finding] = [_instance_finding(i, bundle) for i in instances]
    ctx.processes = by_pid

    def per_process(_c: ScanContext) -> list[Finding]:
        out: list[Finding] = []
        for p in procs:
            if time.monotonic() > deadline:
                break
            out += scan_processes.scan_process(p, bundle)
        return out

    findings += run_collector("process_signals", per_process, ctx, [])
    findings += run_collector(
        "undecodable_names", lambda c: scan_names.undecodable_name_findings(procs, bundle), ctx, []
    )
    findings += run_collector(
        "miner_configs", lambda c: scan_configs.scan_configs(procs, bundle, own_paths), ctx, []
    )

    ctx.report_progress(_("Checking network connections"), None)
    findings += run_collector(
        "connections", lambda c: _connections(c, bundle, by_pid, own, settings), ctx, []
    )

    ctx.report_progress(_("Checking what starts automatically"), None)
    findings += run_collector("persistence", lambda c: _persistence(bundle, settings, c), ctx, [])
    findings += run_collector("ld_preload", lambda c: _ld_preload(bundle, settings), ctx, [])
    if settings.root in ("/", "") and settings.pids is None:
        findings += run_collector("hidden_processes", lambda c: _hidden(bundle), ctx, [])
    findings += run_collector(
        "utilization", lambda c: _utilization(bundle, utilization, by_pid, settings), ctx, []
    )

    ctx.report_progress(_("Scanning program files with YARA"), None)
    findings += run_collector(
        "yara_files", lambda c: _yara_files(bundle, procs, own_paths, deadline), ctx, []
    )

    if ctx.options.deep:
        findings += run_collector(
            "yara_folders",
            lambda c: _yara_folders(bundle, settings, own_paths, deadline),
            ctx,
            [],
        )

    ctx.report_progress(_("Scanning process memory with YARA"), None)
    targets = _memory_targets(ctx, procs, findings, utilization, settings)
    findings += run_collector(
        "yara_memory", lambda c: _yara_memory(c, bundle, targets, deadline), ctx, []
    )
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
    return group_same_program(dedup(_drop_own(findings, own_paths)))


@dataclass(frozen=True)
class _Instance:
    process: ProcInfo
    agent: selfid.AgentInstance

    @property
    def pid(self) -> int:
        return self.process.pid


def _split_other_agent_instances(procs: list[ProcInfo]) -> tuple[list[ProcInfo], list[_Instance]]:
    """Other running minecheck agents (they hold every rule in memory) apart from the rest:
    their program files and memory are not scanned (see agent.detect.selfid)."""
    kept: list[ProcInfo] = []
    instances: list[_Instance] = []
    for p in procs:
        agent = selfid.recognise(p)
        if agent is None:
            kept.append(p)
        else:
            instances.append(_Instance(p, agent))
    return kept, instances


def _instance_finding(instance: _Instance, bundle: Any) -> Finding:
    """An info line so that a person sees what was skipped as another minecheck."""
    agent = instance.agent
    return make_finding(
        "other_agent_instance",
        Strength.info,
        N_("Another minecheck instance is running (PID {pid}, {path}); it was not scanned"),
        N_(
            "No action needed if minecheck runs here twice (a scheduled check and a manual "
            "one). If you did not install minecheck at {path}, check that folder."
        ),
        params={"pid": instance.pid, "path": agent.path},
        subject=scan_processes.subject_of(instance.process),
        rule=f"minecheck_instance:{agent.how}",
        evidence=[f"{agent.path} {agent.version or ''}".strip()],
        bundle=bundle,
    )


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
    hosts = settings.hosts_file or plat.hosts_file(settings.root)
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


def _persistence(
    bundle: Any, settings: DetectionSettings, ctx: ScanContext | None = None
) -> list[Finding]:
    entries: list[persistence.PersistenceEntry] = []
    out: list[Finding] = []
    src = settings.windows_sources

    def failed(name: str, exc: Exception) -> None:
        if ctx is None:
            return
        ctx.add_error(
            f"persistence.{name}",
            "error",
            N_("{collector}: failed ({error})."),
            detail=f"{type(exc).__name__}: {exc}",
            collector=f"persistence.{name}",
            error=type(exc).__name__,
        )

    entries += plat.persistence_entries(settings.root, src, failed)
    for kind, value, key in plat.defender_exclusions(src):
        out.append(persistence.defender_exclusion_finding(kind, value, key, bundle))
    for e in entries:
        out += persistence.analyze_entry(e, bundle)
    return out


def _ld_preload(bundle: Any, settings: DetectionSettings) -> list[Finding]:
    found = plat.ld_preload(settings.root)
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


def _hidden(bundle: Any) -> list[Finding]:
    out = []
    for pid in plat.hidden_pids():
        out.append(
            make_finding(
                "hidden_process",
                Strength.weak,
                N_("Process {pid} is hidden from the process list"),
                N_(
                    "A rootkit hides this process from ps and Task Manager, a trick mining malware "
                    "uses. Check /etc/ld.so.preload and loaded kernel modules, and check the "
                    "machine with a rootkit scanner."
                ),
                params={"pid": pid},
                subject=Subject(pid=pid),
                rule="cross_view_pid",
                evidence=[f"/proc/{pid}"],
                passive_hint=True,
                bundle=bundle,
            )
        )
    return out


def _utilization(
    bundle: Any, util: Utilization | None, by_pid: dict[int, ProcInfo], settings: DetectionSettings
) -> list[Finding]:
    if util is None:
        return []
    out: list[Finding] = []
    # percent of one core; on many-core machines scheduling noise grows with the core count
    threshold = max(settings.invisible_cpu_percent, 2.5 * (util.logical_cores or 1))
    if (util.invisible_cpu_percent or 0) >= threshold:
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


def _grouped(bundle: Any, matches: dict[str, list[str]]) -> tuple[Strength, str, str, list[str]]:
    """One finding's worth of YARA matches: strength, families (specific first), rules,
    evidence."""
    specific: list[str] = []
    generic: list[str] = []
    strength = Strength.weak
    evidence: list[str] = []
    for rule, strings in matches.items():
        st, meta = _rule_strength(bundle, rule)
        if st == Strength.strong:
            strength = Strength.strong
        family = str(meta.get("family") or rule)
        target = generic if str(meta.get("kind", "")).startswith("generic") else specific
        if family not in target:
            target.append(family)
        evidence += [f"{rule}: {x}" for x in strings[:3]]
    families = specific + generic
    text = ", ".join(families[:4]) + (f" (+{len(families) - 4})" if len(families) > 4 else "")
    return strength, text, ", ".join(sorted(matches)), evidence[:20]


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
            if not done[path]:
                continue
            strength, families, rules_text, evidence = _grouped(bundle, done[path])
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
                    params={"name": p.name, "pid": p.pid, "family": families, "file": path},
                    subject=scan_processes.subject_of(p).model_copy(update={"file": path}),
                    rule=rules_text,
                    evidence=evidence,
                    bundle=bundle,
                )
            )
    return out


def suspicious_folders() -> list[str]:
    """Temp and hidden places where malware keeps its programs."""
    return plat.suspicious_folders()


_EXE_MAGIC = (b"\x7fELF", b"MZ")


def _yara_folders(
    bundle: Any, settings: DetectionSettings, own_paths: set[str], deadline: float
) -> list[Finding]:
    """--deep: YARA file rules over the programs lying in the suspicious folders."""
    rules = getattr(bundle, "file_rules", None)
    if rules is None:
        return []
    rules_id = str(getattr(bundle, "rules_sha256", "") or id(rules))
    out: list[Finding] = []
    seen = 0
    for top in settings.deep_folders or suspicious_folders():
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirpath, d))]
            for name in filenames:
                seen += 1
                if seen > settings.deep_max_files or time.monotonic() > deadline:
                    return out
                path = os.path.join(dirpath, name)
                if any(path.startswith(o + os.sep) for o in own_paths):
                    continue
                try:
                    with open(path, "rb") as fh:
                        if not fh.read(4).startswith(_EXE_MAGIC):
                            continue
                except OSError:
                    continue
                for rule, strings in (scan_file(path, rules, None, rules_id) or {}).items():
                    _strength, meta = _rule_strength(bundle, rule)
                    out.append(
                        make_finding(
                            "yara_file_at_rest",
                            Strength.weak,
                            N_(
                                "Mining program {file} lies in a temporary or hidden folder "
                                "({family})"
                            ),
                            N_(
                                "It is not running now. Delete {file} unless it is authorised, and "
                                "check how it got there."
                            ),
                            params={"file": path, "family": meta.get("family", rule)},
                            subject=Subject(file=path),
                            rule=rule,
                            evidence=strings,
                            passive_hint=True,
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
        if not res.rules:
            continue
        strength, families, rules_text, evidence = _grouped(bundle, res.rules)
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
