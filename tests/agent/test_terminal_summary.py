"""The end-of-scan summary: what did not run first, one block per miner, the mode's reason."""

from __future__ import annotations

from agent.i18n import localized
from agent.report.terminal import summary_text
from agent.wire.report import (
    DeviceIdentity,
    Finding,
    Incident,
    MiningMode,
    Report,
    Strength,
    Subject,
    Verdict,
    VerdictStatus,
)


def _finding(kind: str, pid: int) -> Finding:
    return Finding(
        kind=kind,
        strength=Strength.strong,
        title=localized("Mining found"),
        action=localized("What to do"),
        subject=Subject(pid=pid, process_name=f"{kind}-proc"),
    )


def _report(**kw) -> Report:
    return Report(
        agent={"version": "0", "platform": "linux"},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="pc"),
        **kw,
    )


def test_incomplete_says_so_on_the_result_line_and_lists_what_did_not_run_first():
    report = _report(
        verdict=Verdict(
            status=VerdictStatus.incomplete,
            incomplete=[localized("the check of network connections")],
        )
    )
    text = summary_text(report, "zh")
    lines = text.splitlines()
    result = next(line for line in lines if line.startswith("["))
    assert result.startswith("[??]") and "检查未完成" in result
    assert text.index("未完成的检查") < text.index("结论所依赖的部分检查没有完成")
    assert "网络连接检查" in text


def test_mining_with_a_failed_scanner_says_both():
    report = _report(
        findings=[_finding("pool_connection", 7)],
        verdict=Verdict(
            status=VerdictStatus.mining,
            mode=MiningMode.undetermined,
            mode_reason=localized("Mining found"),
            incomplete=[localized("the check of network connections")],
        ),
    )
    text = summary_text(report, "en")
    result = next(line for line in text.splitlines() if line.startswith("["))
    assert "Mining found" in result and "Check not completed" in result
    assert "Why active or passive: Mining found" in text


def test_incidents_group_their_findings_and_flat_list_is_the_fallback():
    findings = [
        _finding("yara_memory", 11),
        _finding("pool_connection", 11),
        _finding("yara_memory", 22),
    ]
    incidents = [
        Incident(
            id="i1",
            strength=Strength.strong,
            title=localized("Mining software is running"),
            action=localized("Nothing needs to be done. Keep this report for your records."),
            findings=[0, 1],
        ),
        Incident(
            id="i2",
            strength=Strength.strong,
            title=localized("Mining malware found"),
            action=localized("What to do"),
            findings=[2],
        ),
    ]
    verdict = Verdict(status=VerdictStatus.mining, mode=MiningMode.active)
    grouped = summary_text(_report(findings=findings, incidents=incidents, verdict=verdict), "en")
    assert "Miners found (2)" in grouped
    first = grouped[grouped.index("1. Mining software is running") : grouped.index("2. Mining")]
    assert "[pid 11]" in first and "[pid 22]" not in first
    flat = summary_text(_report(findings=findings, verdict=verdict), "en")
    assert "Miners found" not in flat and "Findings (3)" in flat
