"""Plain words for a verdict, shared by the terminal summary and the HTML report."""

from __future__ import annotations

from dataclasses import dataclass

from agent.i18n import N_, gettext_in
from agent.wire.report import MiningMode, Verdict, VerdictStatus


@dataclass(frozen=True)
class VerdictWords:
    headline: str  # one short line: what was found
    explanation: str  # one or two sentences a non-expert understands
    action: str  # what to do now
    level: str  # clean / suspicious / mining / incomplete (CSS class, colour)


_WORDS: dict[tuple[VerdictStatus, MiningMode | None], tuple[str, str, str]] = {
    (VerdictStatus.clean, None): (
        N_("No mining found"),
        N_("No sign of cryptocurrency mining was found on this computer during this check."),
        N_("Nothing needs to be done. Keep this report for your records."),
    ),
    (VerdictStatus.incomplete, None): (
        N_("Check not completed"),
        N_(
            "Part of the check that the result depends on did not run, so this computer "
            "was NOT checked: this is not a clean result."
        ),
        N_(
            "Run the check again as administrator. If it stays incomplete, reinstall "
            "minecheck, and keep this report for whoever looks after this computer."
        ),
    ),
    (VerdictStatus.suspicious, None): (
        N_("Something suspicious was found"),
        N_(
            "Some signs on this computer look like mining, but they are not proof: heavy "
            "programs such as games or video tools can look similar."
        ),
        N_(
            "Have the findings below checked by whoever looks after this computer (at a "
            "school the IT teacher, at an internet café the owner). Do not end programs or "
            "delete files yet; keep this report."
        ),
    ),
    (VerdictStatus.mining, MiningMode.active): (
        N_("Mining software is running"),
        N_(
            "Cryptocurrency mining software was found on this computer and it looks like "
            "someone started it on purpose. Mining on school and internet-café computers "
            "is forbidden."
        ),
        N_(
            "Stop and uninstall the mining program at once, then run this check again. "
            "Keep this report and tell the person responsible for this computer."
        ),
    ),
    (VerdictStatus.mining, MiningMode.passive): (
        N_("Mining malware found"),
        N_(
            "This computer is infected by malware that mines cryptocurrency in secret. "
            "It is a security problem that must be fixed."
        ),
        N_(
            "Disconnect the computer from the network, have the malware and its autostart "
            "entries removed (by a technician or your antivirus), change the passwords used "
            "on it, and report it with this report file."
        ),
    ),
    (VerdictStatus.mining, None): (
        N_("Mining found"),
        N_("Cryptocurrency mining was found on this computer."),
        N_(
            "Stop the mining program, have the computer checked (by a technician or your "
            "antivirus), and report it with this report file."
        ),
    ),
}


INCOMPLETE_TITLE = N_("What did not run")
MODE_REASON_TITLE = N_("Why active or passive")


def verdict_words(verdict: Verdict, lang: str) -> VerdictWords:
    mode = verdict.mode if verdict.status == VerdictStatus.mining else None
    headline, explanation, action = (
        _WORDS.get((verdict.status, mode)) or _WORDS[(verdict.status, None)]
    )
    return VerdictWords(
        headline=gettext_in(lang, headline),
        explanation=gettext_in(lang, explanation),
        action=gettext_in(lang, action),
        level=verdict.status.value,
    )


STRENGTH_WORDS = {
    "strong": N_("strong evidence"),
    "weak": N_("weak evidence"),
    "info": N_("for information"),
}


BUNDLE_SOURCES = {
    "builtin": N_("shipped with minecheck"),
    "collector": N_("received from the collector"),
    "last_good": N_("last good bundle from the collector"),
    "override": N_("with locally imported lists"),
    "none": N_("none usable"),
}


def bundle_source_name(source: str) -> str:
    """The untranslated (N_) name of where the signature bundle in use came from."""
    return BUNDLE_SOURCES.get(source, source)
