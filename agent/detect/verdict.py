"""Verdict engine: strong evidence -> mining, weak only -> suspicious, nothing -> clean.

A mining verdict is *passive* (malware-driven) when a hiding or persistence sign belongs to
the same process or to the machine, *active* only on positive evidence that a person started
it (a miner owned by that user running from inside their own home folder), else
*undetermined*: an unproven "active" would wrongly accuse a person.
"""

from __future__ import annotations

import os

from agent.i18n import N_, localized
from agent.wire.report import (
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
            status=VerdictStatus.mining,
            mode=MiningMode.passive,
            mode_reason=reasons[0],
            reasons=_unique(reasons),
        )
    started_by = _user_started(strong)
    if started_by is not None:
        why = localized(
            N_(
                "User-started mining (active): {user} runs the miner from their own folder "
                "{path}, with no sign of hiding or automatic start."
            ),
            user=started_by[0],
            path=started_by[1],
        )
        return Verdict(
            status=VerdictStatus.mining,
            mode=MiningMode.active,
            mode_reason=why,
            reasons=_unique([why, *reasons]),
        )
    why = localized(
        N_(
            "Not determined whether a person or malware started the miner: no sign of hiding "
            "or automatic start was found, and nothing shows that a user started it either."
        )
    )
    return Verdict(
        status=VerdictStatus.mining,
        mode=MiningMode.undetermined,
        mode_reason=why,
        reasons=_unique([why, *reasons]),
    )


def _home_of(user: str) -> str | None:
    """The home folder of ``user`` (DOMAIN\\name on Windows keeps only the name)."""
    name = user.split("\\")[-1]
    home = os.path.expanduser(f"~{name}")
    return None if home.startswith("~") else os.path.realpath(home)


def _user_started(strong: list[Finding]) -> tuple[str, str] | None:
    """(user, program path) when a strong finding's process belongs to a person and runs a
    program from inside that person's home folder: positive evidence of active mining."""
    for f in strong:
        s = f.subject
        if not s.user or _service_account(s.user):
            continue
        home = _home_of(s.user)
        if not home or home in ("/", os.path.realpath(os.sep)):
            continue
        for path in [s.exe, *(s.cmdline or "").split()[1:3]]:
            if not path or not os.path.isabs(path):
                continue
            real = os.path.realpath(path)
            if real.startswith(home + os.sep) and os.sep + "." not in real[len(home) :]:
                return s.user, path
    return None


def _unique(items: list[LocalizedText]) -> list[LocalizedText]:
    out: list[LocalizedText] = []
    for t in items:
        if t not in out:
            out.append(t)
    return out[:20]
