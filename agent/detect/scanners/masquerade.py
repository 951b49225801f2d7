"""Programs pretending to be system programs: a system name from the wrong folder,
svchost.exe without -k, a kernel-thread name on a program file."""

from __future__ import annotations

from agent.detect.scan_processes import masquerade_findings
from agent.detect.scanners.base import PROCESS_CHECK, per_process

SCANNER = per_process(
    "masquerade", masquerade_findings, needs=("system_binaries",), required=PROCESS_CHECK
)
