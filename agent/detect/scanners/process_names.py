"""Known miner program names (the bundle's miner process list)."""

from __future__ import annotations

from agent.detect.scan_processes import name_findings
from agent.detect.scanners.base import PROCESS_CHECK, per_process

SCANNER = per_process(
    "miner_names", name_findings, needs=("miner_process_names",), required=PROCESS_CHECK
)
