"""Process and file names that are not valid text (a trick to hide from tools and people)."""

from __future__ import annotations

from agent.detect import scan_names
from agent.detect.scanners.base import Scanner, ScanRun
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    return scan_names.undecodable_name_findings(run.procs, run.bundle)


SCANNER = Scanner(name="undecodable_names", run=run)
