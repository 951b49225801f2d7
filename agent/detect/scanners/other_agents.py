"""Other running minecheck agents: an info line each, so a person sees what was skipped."""

from __future__ import annotations

from agent.detect import scan_processes
from agent.detect.findings import make_finding
from agent.detect.scanners.base import OtherAgent, Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding, Strength


def instance_finding(instance: OtherAgent, run: ScanRun) -> Finding:
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
        bundle=run.bundle,
    )


def run(run: ScanRun) -> list[Finding]:
    return [instance_finding(i, run) for i in run.others]


SCANNER = Scanner(name="other_agents", run=run)
