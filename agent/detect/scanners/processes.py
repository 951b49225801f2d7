"""Per-process signals: miner names and flags in command lines, masquerading system names,
programs in hidden places, deleted executables (agent.detect.scan_processes)."""

from __future__ import annotations

import time

from agent.detect import scan_processes
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    out: list[Finding] = []
    for p in run.procs:
        if time.monotonic() > run.deadline:
            break
        out += scan_processes.scan_process(p, run.bundle)
    return out


SCANNER = Scanner(
    name="process_signals",
    run=run,
    needs=("miner_process_names", "stratum_schemes", "system_binaries"),
    required=N_("the check of process names and command lines"),
)
