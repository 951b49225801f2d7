"""Whether detection fully ran: a scan whose required checks failed is never `clean`.

The verdict depends on the signature bundle (YARA rules and lists), the process list and the
declared scanners marked ``required`` (process signals, miner configs, connections, YARA
over files and memory). When one of them failed or ran out
of time, ``Verdict.incomplete`` names it; without strong evidence the verdict is then
``incomplete`` (a miner found is still ``mining``, with what did not run listed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.detect.scanners import SCANNERS
from agent.i18n import N_, gettext_in
from agent.wire.report import CollectorError, LocalizedText, Verdict, VerdictStatus

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle

# The pipeline's own steps (agent/scan.py, agent/detect/engine.py) the verdict depends on.
PIPELINE_CHECKS: dict[str, str] = {
    "signatures": N_("loading the signatures (YARA rules and lists)"),
    "detection": N_("the detection engine"),
    "verdict": N_("the verdict engine"),
    "processes": N_("the list of running processes"),
}


def required_checks() -> dict[str, str]:
    """run_collector name -> what it is: the pipeline steps, then every declared scanner
    marked ``required`` (agent.detect.scanners.SCANNERS)."""
    return PIPELINE_CHECKS | {s.name: s.required for s in SCANNERS if s.required}


REQUIRED_CHECKS: dict[str, str] = required_checks()


def missing_checks(
    errors: list[CollectorError], bundle: LoadedBundle | None
) -> list[LocalizedText]:
    """What the verdict depends on and did not run: failed checks, a missing bundle."""
    out: list[LocalizedText] = []
    if bundle is None or not _has_rules(bundle):
        out.append(
            _compose(
                N_("No usable signature bundle was loaded: {what} did not run."),
                REQUIRED_CHECKS["signatures"],
                None,
            )
        )
    for error in errors:
        what = REQUIRED_CHECKS.get(error.collector)
        if what is None:
            continue
        if error.kind == "timeout":
            text = _compose(N_("{what} ran out of time: {reason}"), what, error.message)
        else:
            text = _compose(N_("{what} failed: {reason}"), what, error.message)
        if text not in out:
            out.append(text)
    return out


def _compose(msgid: str, what_msgid: str, reason: LocalizedText | None) -> LocalizedText:
    """``msgid`` in both languages with the check's name and the error's own message."""

    def one(lang: str) -> str:
        return gettext_in(lang, msgid).format(
            what=gettext_in(lang, what_msgid), reason=reason.get(lang) if reason else ""
        )

    return LocalizedText(zh=one("zh"), en=one("en"))


def _has_rules(bundle: LoadedBundle) -> bool:
    """A bundle that compiled: the empty fallback (source "none") has no rules at all."""
    if bundle.source == "none":
        return False
    return bundle.file_rules is not None and bundle.memory_rules is not None


def apply_incomplete(verdict: Verdict | None, missing: list[LocalizedText]) -> Verdict:
    """The verdict with what did not run; no verdict or no strong evidence -> incomplete."""
    verdict = verdict or Verdict(status=VerdictStatus.incomplete)
    if not missing:
        return verdict
    status = verdict.status
    if status != VerdictStatus.mining:
        status = VerdictStatus.incomplete
    return verdict.model_copy(update={"status": status, "incomplete": list(missing)})
