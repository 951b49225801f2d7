"""Persistence entries (what starts a program again) and their analysis, both OSes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from agent.detect.cmdline import analyze_text, split_command
from agent.detect.findings import make_finding
from agent.detect.locations import hidden_location
from agent.i18n import N_
from agent.platform.types import PersistenceEntry
from agent.wire.report import Finding, Strength, Subject

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle

__all__ = ["PersistenceEntry", "analyze_entry", "defender_exclusion_finding", "referenced_paths"]

_PATHISH = re.compile(r"(?:[A-Za-z]:\\|/|%\w+%\\)[^\s\"';|&<>]+")


def referenced_paths(command: str) -> list[str]:
    paths = [
        t
        for t in split_command(command)
        if t.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:\\", t)
    ]
    paths += [m.group(0) for m in _PATHISH.finditer(command)]
    return list(dict.fromkeys(paths))


def analyze_entry(entry: PersistenceEntry, bundle: LoadedBundle) -> list[Finding]:
    """A finding when the entry's command carries miner signals or points at a hidden place."""
    subj = Subject(
        persistence=f"{entry.mechanism}: {entry.name}"[:300],
        cmdline=entry.command[:1000],
        file=None if entry.registry else entry.location,
        registry_key=entry.location if entry.registry else None,
    )
    params = {
        "mechanism": entry.mechanism,
        "name": entry.name,
        "location": entry.location,
        "command": entry.command[:200],
    }
    signals = analyze_text(entry.command, bundle)
    strong = [s for s in signals if s.strength == Strength.strong]
    if strong:
        return [
            make_finding(
                "persistence_miner",
                Strength.strong,
                N_("{mechanism} entry {name} starts a miner"),
                N_(
                    "Remove the {mechanism} entry {name} (in {location}), end the program it "
                    "started and delete it. Then change the passwords of this PC: someone set it "
                    "up to mine on its own."
                ),
                detail=N_("Command: {command}"),
                params=params,
                subject=subj,
                rule=strong[0].rule,
                evidence=[s.evidence for s in strong],
                passive_hint=True,
                bundle=bundle,
            )
        ]
    hidden = [(p, w) for p in referenced_paths(entry.command) if (w := hidden_location(p))]
    if hidden or signals:
        evidence = [p for p, _ in hidden] + [s.evidence for s in signals]
        return [
            make_finding(
                "persistence_suspicious",
                Strength.weak,
                N_("{mechanism} entry {name} starts a program from a temporary or hidden place"),
                N_(
                    "Check the program this {mechanism} entry starts ({command}); if you do not "
                    "know it, keep this report and let whoever looks after this PC check "
                    "{location}."
                ),
                params=params,
                subject=subj,
                rule=f"persistence_hidden:{hidden[0][1]}" if hidden else signals[0].rule,
                evidence=evidence,
                passive_hint=True,
                bundle=bundle,
            )
        ]
    return []


def defender_exclusion_finding(kind: str, value: str, key: str, bundle: LoadedBundle) -> Finding:
    return make_finding(
        "defender_exclusion",
        Strength.weak,
        N_("Microsoft Defender skips {value}"),
        N_(
            "Malware adds Defender exclusions so its miner is not scanned. Ask whoever looks "
            "after this PC whether it was added on purpose (Windows Security > Virus & threat "
            "protection > Exclusions) and run a full scan."
        ),
        detail=N_("Excluded {kind}: {value}"),
        params={"kind": kind, "value": value},
        subject=Subject(registry_key=key, file=value),
        rule=f"defender_exclusion:{kind}",
        evidence=[value],
        passive_hint=True,
        bundle=bundle,
    )
