"""Sustained CPU/GPU use: a busy program that is not a known heavy application (weak), CPU
time no visible process accounts for (hidden processes, weak)."""

from __future__ import annotations

from agent.detect import scan_processes
from agent.detect.findings import make_finding
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject


def run(run: ScanRun) -> list[Finding]:
    util, bundle, settings = run.utilization, run.bundle, run.settings
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
    benign = bundle.benign_heavy
    for u in util.top_processes:
        heavy_cpu = u.cpu_percent >= settings.high_cpu_percent
        heavy_gpu = (u.gpu_utilization_percent or 0) >= 50
        if not (heavy_cpu or heavy_gpu):
            continue
        name = (u.name or "").lower()
        entry = benign.get(name) or benign.get(name.removesuffix(".exe"))
        p = run.by_pid.get(u.pid)
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
                        "use (game, video, compiler, training); if not, scan it with your "
                        "antivirus and keep this report."
                    ),
                    params=params,
                    subject=subj,
                    rule="sustained_load",
                    bundle=bundle,
                )
            )
    return out


SCANNER = Scanner(name="utilization", run=run, needs=("benign_heavy",))
