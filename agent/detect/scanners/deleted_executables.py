"""Processes whose program file was deleted after start or lives only in memory."""

from __future__ import annotations

from agent.detect.scan_processes import deleted_executable_findings
from agent.detect.scanners.base import PROCESS_CHECK, per_process

SCANNER = per_process("deleted_executables", deleted_executable_findings, required=PROCESS_CHECK)
