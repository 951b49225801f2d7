"""The declared scanners (osquery's shape): one module each, registered in ONE list.

Each module holds ``SCANNER``, an :class:`~agent.detect.scanners.base.Scanner` with its
name (the run_collector name errors and completeness use), the platforms it runs on, the
signature-bundle parts it needs and ``run(ScanRun) -> list[Finding]``. The engine
(agent.detect.engine) runs them in this order: the memory scan reads the findings of the
scanners before it to choose whose memory to read.
"""

from __future__ import annotations

from agent.detect.scanners import (
    command_lines,
    configs,
    connections,
    deleted_executables,
    hidden_locations,
    hidden_processes,
    ld_preload,
    masquerade,
    other_agents,
    persistence,
    process_names,
    undecodable_names,
    utilization,
    yara_files,
    yara_folders,
    yara_memory,
)
from agent.detect.scanners.base import ALL_PLATFORMS, OtherAgent, Scanner, ScanRun

SCANNERS: list[Scanner] = [
    other_agents.SCANNER,
    command_lines.SCANNER,
    process_names.SCANNER,
    masquerade.SCANNER,
    hidden_locations.SCANNER,
    deleted_executables.SCANNER,
    undecodable_names.SCANNER,
    configs.SCANNER,
    connections.SCANNER,
    persistence.SCANNER,
    ld_preload.SCANNER,
    hidden_processes.SCANNER,
    utilization.SCANNER,
    yara_files.SCANNER,
    yara_folders.SCANNER,
    yara_memory.SCANNER,
]


def by_name(name: str) -> Scanner:
    """The declared scanner called ``name``."""
    for scanner in SCANNERS:
        if scanner.name == name:
            return scanner
    raise KeyError(name)


__all__ = ["ALL_PLATFORMS", "SCANNERS", "OtherAgent", "ScanRun", "Scanner", "by_name"]
