"""Processes that answer by PID but are missing from the process list (Linux cross-view):
a rootkit hides them. Only on the live system (no test root, no PID filter)."""

from __future__ import annotations

import agent.platform as plat
from agent.detect.findings import make_finding
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject


def run(run: ScanRun) -> list[Finding]:
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
                bundle=run.bundle,
            )
        )
    return out


def _live_system(run: ScanRun) -> bool:
    return run.settings.root in ("/", "") and run.settings.pids is None


SCANNER = Scanner(
    name="hidden_processes", run=run, platforms=frozenset({"linux"}), when=_live_system
)
