"""/etc/ld.so.preload listing libraries: how rootkits hide miners from the process list."""

from __future__ import annotations

import agent.platform as plat
from agent.detect.findings import make_finding
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject


def run(run: ScanRun) -> list[Finding]:
    found = plat.ld_preload(run.settings.root)
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
            bundle=run.bundle,
        )
    ]


SCANNER = Scanner(name="ld_preload", run=run, platforms=frozenset({"linux"}))
