"""Miner flags, stratum URLs, pool hosts and wallets in command lines (agent.detect.cmdline)."""

from __future__ import annotations

from agent.detect.scan_processes import cmdline_findings
from agent.detect.scanners.base import PROCESS_CHECK, per_process

SCANNER = per_process(
    "command_lines",
    cmdline_findings,
    needs=("pool_domains", "stratum_schemes"),
    required=PROCESS_CHECK,
)
