"""Miner configuration files next to running programs (agent.detect.scan_configs)."""

from __future__ import annotations

from agent.detect import scan_configs
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    return scan_configs.scan_configs(run.procs, run.bundle, run.own_paths)


SCANNER = Scanner(
    name="miner_configs",
    run=run,
    needs=("pool_domains", "stratum_schemes"),
    required=N_("the check for miner configuration files"),
)
