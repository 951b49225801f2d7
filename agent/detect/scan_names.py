"""Process names and program paths that are not valid text: a way to hide from tools.

A miner may name its file with bytes that are not UTF-8 (``xmr\\xffig``), control characters
or a right-to-left override so that lists, logs and reports choke on it or show something
else. The name itself is evidence (weak: it proves no mining), shown escaped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo
from agent.detect.scan_processes import subject_of
from agent.i18n import N_
from agent.report.sanitize import is_undecodable, printable
from agent.wire.report import Finding, Strength

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle


def undecodable_name_findings(procs: list[ProcInfo], bundle: LoadedBundle | None) -> list[Finding]:
    """One weak finding per process whose name or program path is not valid text."""
    out: list[Finding] = []
    for p in procs:
        bad = next((v for v in (p.name, p.exe) if v and is_undecodable(v)), None)
        if bad is None:
            continue
        out.append(
            make_finding(
                "undecodable_name",
                Strength.weak,
                N_("Process {name} (PID {pid}) has a name that is not valid text"),
                N_(
                    "Malware names its files with bytes that are not valid text or with "
                    "characters that hide or reverse the name, so that tools and lists "
                    "stumble over them. Check {exe} with your antivirus; if nobody here knows "
                    "this program, keep this report for whoever looks after this PC."
                ),
                params={"name": p.name, "pid": p.pid, "exe": p.exe or p.name},
                subject=subject_of(p),
                rule="undecodable_name",
                evidence=[printable(bad)],
                passive_hint=True,
                bundle=bundle,
            )
        )
    return out
