"""Whether detection fully ran: a scan whose required checks failed is never `clean`.

The verdict depends on the signature bundle (YARA rules and lists), the process scanners,
the connection scanner and the miner-config scanner. When one of them failed or ran out
of time, ``Verdict.incomplete`` names it; without strong evidence the verdict is then
``incomplete`` (a miner found is still ``mining``, with what did not run listed).
"""

from __future__ import annotations

from typing import Any

from agent.i18n import N_, gettext_in
from agent.wire.report import CollectorError, LocalizedText, Verdict, VerdictStatus

# run_collector names (agent/scan.py, agent/detect/engine.py) the verdict depends on.
REQUIRED_CHECKS: dict[str, str] = {
    "signatures": N_("loading the signatures (YARA rules and lists)"),
    "detection": N_("the detection engine"),
    "verdict": N_("the verdict engine"),
    "processes": N_("the list of running processes"),
    "process_signals": N_("the check of process names and command lines"),
    "miner_configs": N_("the check for miner configuration files"),
    "connections": N_("the check of network connections"),
    "yara_files": N_("the YARA scan of program files"),
    "yara_memory": N_("the YARA scan of process memory"),
}


def missing_checks(errors: list[CollectorError], bundle: Any) -> list[LocalizedText]:
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


def _has_rules(bundle: Any) -> bool:
    """A bundle that compiled: the empty fallback (source "none") has no rules at all."""
    if getattr(bundle, "source", None) == "none":
        return False
    return getattr(bundle, "file_rules", None) is not None and (
        getattr(bundle, "memory_rules", None) is not None
    )


def apply_incomplete(verdict: Verdict | None, missing: list[LocalizedText]) -> Verdict:
    """The verdict with what did not run; no verdict or no strong evidence -> incomplete."""
    verdict = verdict or Verdict(status=VerdictStatus.incomplete)
    if not missing:
        return verdict
    status = verdict.status
    if status != VerdictStatus.mining:
        status = VerdictStatus.incomplete
    return verdict.model_copy(update={"status": status, "incomplete": list(missing)})
