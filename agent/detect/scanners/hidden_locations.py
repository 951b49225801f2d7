"""Programs and scripts running from temporary or hidden folders."""

from __future__ import annotations

from agent.detect.scan_processes import hidden_location_findings
from agent.detect.scanners.base import PROCESS_CHECK, per_process

SCANNER = per_process("hidden_locations", hidden_location_findings, required=PROCESS_CHECK)
