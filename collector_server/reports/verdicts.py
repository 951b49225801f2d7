"""How a report's verdict becomes the device's latest verdict in the ledger."""

from __future__ import annotations

from collector_server.ledger.models import Verdict

# Verdicts an incomplete check cannot clear: it did not look, so it proves nothing.
_FLAGGED = {Verdict.mining.value, Verdict.suspicious.value}


def device_verdict(
    previous_verdict: str, previous_mode: str, verdict: str, mode: str
) -> dict[str, str]:
    """``last_verdict``/``last_mode`` after a report: an ``incomplete`` report keeps an
    earlier mining/suspicious verdict (it is "not checked", never a sign of recovery)."""
    if verdict == Verdict.incomplete.value and previous_verdict in _FLAGGED:
        return {"last_verdict": previous_verdict, "last_mode": previous_mode}
    return {"last_verdict": verdict, "last_mode": mode}
