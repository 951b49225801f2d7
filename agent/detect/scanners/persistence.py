"""What starts programs again (cron, systemd, rc files; Run keys, services, tasks, WMI,
Startup folders) and Microsoft Defender exclusions, read through agent.platform."""

from __future__ import annotations

import agent.platform as plat
from agent.detect import persistence
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    ctx, bundle, settings = run.ctx, run.bundle, run.settings
    src = settings.windows_sources

    def failed(name: str, exc: Exception) -> None:
        ctx.add_error(
            f"persistence.{name}",
            "error",
            N_("{collector}: failed ({error})."),
            detail=f"{type(exc).__name__}: {exc}",
            collector=f"persistence.{name}",
            error=type(exc).__name__,
        )

    out: list[Finding] = []
    entries = plat.persistence_entries(settings.root, src, failed)
    for kind, value, key in plat.defender_exclusions(src):
        out.append(persistence.defender_exclusion_finding(kind, value, key, bundle))
    for e in entries:
        out += persistence.analyze_entry(e, bundle)
    return out


SCANNER = Scanner(name="persistence", run=run, progress=N_("Checking what starts automatically"))
