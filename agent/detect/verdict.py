"""Verdict engine: strong evidence -> mining, weak only -> suspicious, nothing -> clean.

A mining verdict is *passive* (malware-driven) when a hiding or persistence sign belongs to
the same process or to the machine, else *active* (a user-started miner).
"""

from __future__ import annotations

from agent.i18n import N_, localized
from agent.report.model import (
    Finding,
    LocalizedText,
    MiningMode,
    Strength,
    Verdict,
    VerdictStatus,
)

_SERVICE_ACCOUNTS = {
    "system",
    "nt authority\\system",
    "local service",
    "network service",
    "nt authority\\local service",
    "nt authority\\network service",
    "localsystem",
    "daemon",
    "nobody",
    "www-data",
    "mysql",
    "postgres",
    "redis",
    "tomcat",
    "apache",
    "nginx",
    "jenkins",
    "elasticsearch",
}
_MACHINE_WIDE = {
    "persistence_miner",
    "persistence_suspicious",
    "defender_exclusion",
    "ld_preload",
    "hosts_pool_entry",
    "hidden_cpu",
    "hidden_process",
}


def _service_account(user: str | None) -> bool:
    return bool(user) and user.lower() in _SERVICE_ACCOUNTS


def decide(findings: list[Finding]) -> Verdict:
    """Combine findings into the verdict with its reasons."""
    strong = [f for f in findings if f.strength == Strength.strong]
    weak = [f for f in findings if f.strength == Strength.weak]
    if strong:
        return _mining(strong, findings)
    if weak:
        return Verdict(status=VerdictStatus.suspicious, reasons=_unique([f.title for f in weak]))
    return Verdict(status=VerdictStatus.clean)


def _mining(strong: list[Finding], findings: list[Finding]) -> Verdict:
    pids = {f.subject.pid for f in strong if f.subject.pid is not None}
    passive: list[LocalizedText] = []
    for f in findings:
        if not f.passive_hint:
            continue
        if f.subject.pid is None or f.subject.pid in pids or f.kind in _MACHINE_WIDE:
            passive.append(f.title)
    for f in strong:
        if _service_account(f.subject.user):
            passive.append(
                localized(
                    N_("The miner runs under the service account {user}"), user=f.subject.user
                )
            )
    reasons = [f.title for f in strong]
    if passive:
        reasons = [
            localized(
                N_(
                    "Malware-driven mining (passive): signs of hiding or "
                    "automatic start were found."
                )
            ),
            *passive,
            *reasons,
        ]
        return Verdict(
            status=VerdictStatus.mining, mode=MiningMode.passive, reasons=_unique(reasons)
        )
    reasons = [
        localized(
            N_(
                "User-started mining (active): mining software runs openly, with "
                "no sign of hiding or automatic start."
            )
        ),
        *reasons,
    ]
    return Verdict(status=VerdictStatus.mining, mode=MiningMode.active, reasons=_unique(reasons))


def _unique(items: list[LocalizedText]) -> list[LocalizedText]:
    out: list[LocalizedText] = []
    for t in items:
        if t not in out:
            out.append(t)
    return out[:20]
