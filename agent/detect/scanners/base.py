"""What a scanner is (a name, the platforms it runs on, the bundle parts it needs, one
``run``) and what it is given (:class:`ScanRun`)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agent.collectors.base import ScanContext
from agent.detect.procs import ProcInfo, hash_exe
from agent.i18n import N_
from agent.wire.report import Finding, Utilization

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle
    from agent.detect.engine import DetectionSettings
    from agent.detect.selfid import AgentInstance

ALL_PLATFORMS = frozenset({"linux", "windows", "generic"})
# what the per-process scanners are called when one of them did not run
PROCESS_CHECK = N_("the check of process names and command lines")


@dataclass(frozen=True)
class OtherAgent:
    """Another running minecheck (its files and memory are not scanned)."""

    process: ProcInfo
    agent: AgentInstance

    @property
    def pid(self) -> int:
        return self.process.pid


@dataclass
class ScanRun:
    """One detection run as the scanners see it: the context, the bundle, the processes."""

    ctx: ScanContext
    bundle: LoadedBundle
    settings: DetectionSettings
    utilization: Utilization | None
    deadline: float
    own_pids: set[int]
    own_paths: set[str]
    procs: list[ProcInfo] = field(default_factory=list)  # scanned (other agents left out)
    by_pid: dict[int, ProcInfo] = field(default_factory=dict)  # every process, agents too
    others: list[OtherAgent] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # of the scanners before this one


@dataclass
class Scanner:
    """One declared scanner. ``run`` may be replaced on the instance (tests)."""

    name: str  # the run_collector name: errors and completeness use it
    run: Callable[[ScanRun], list[Finding]]
    platforms: frozenset[str] = ALL_PLATFORMS  # agent.platform.NAME values it runs on
    needs: tuple[str, ...] = ()  # LoadedBundle fields it reads
    progress: str | None = None  # message id shown before it starts
    required: str | None = None  # message id naming it when the verdict depends on it
    when: Callable[[ScanRun], bool] = field(default=lambda run: True)  # run only if true

    def applies(self, run: ScanRun, platform_name: str) -> bool:
        """True when this scanner runs here: platform, needed bundle parts, condition."""
        if platform_name not in self.platforms and platform_name != "fake":  # fake: all run
            return False
        if any(getattr(run.bundle, part, None) is None for part in self.needs):
            return False
        return self.when(run)


def each_process(run: ScanRun) -> Iterator[ProcInfo]:
    """The scanned processes (kernel threads left out, program file hashed) until the
    deadline."""
    for p in run.procs:
        if time.monotonic() > run.deadline:
            return
        if p.kernel_thread:
            continue
        hash_exe(p)
        yield p


def per_process(
    name: str,
    check: Callable[[ProcInfo, LoadedBundle], list[Finding]],
    needs: tuple[str, ...] = (),
    required: str | None = None,
) -> Scanner:
    """A scanner that runs ``check(process, bundle)`` on every scanned process."""

    def run(run: ScanRun) -> list[Finding]:
        return [f for p in each_process(run) for f in check(p, run.bundle)]

    return Scanner(name=name, run=run, needs=needs, required=required)
