"""Make a report smaller when the collector answers 413, saying what was removed."""

from __future__ import annotations

import json
from collections.abc import Callable

Step = tuple[str, Callable[[dict], bool]]


def _cut_evidence(report: dict) -> bool:
    changed = False
    for finding in report.get("findings", []):
        if len(finding.get("evidence", [])) > 3:
            finding["evidence"] = finding["evidence"][:3]
            changed = True
    return changed


def _cut_processes(report: dict) -> bool:
    util = report.get("utilization") or {}
    procs = util.get("top_processes") or []
    if len(procs) > 5:
        util["top_processes"] = procs[:5]
        return True
    return False


def _cut_series(report: dict) -> bool:
    util = report.get("utilization") or {}
    changed = False
    for key in [k for k in util if k.endswith("_series")]:
        if util[key]:
            util[key] = []
            changed = True
    return changed


def _cut_cmdlines(report: dict) -> bool:
    changed = False
    for finding in report.get("findings", []):
        subject = finding.get("subject") or {}
        if subject.get("cmdline") and len(subject["cmdline"]) > 512:
            subject["cmdline"] = subject["cmdline"][:512] + "…"
            changed = True
    return changed


def _cut_findings(report: dict) -> bool:
    findings = report.get("findings", [])
    if len(findings) > 50:
        # Keep the strongest evidence first.
        order = {"strong": 0, "weak": 1, "info": 2}
        findings.sort(key=lambda f: order.get(f.get("strength"), 3))
        report["findings"] = findings[:50]
        return True
    return False


def _cut_disks_and_nics(report: dict) -> bool:
    hw = report.get("hardware") or {}
    changed = False
    for key in ("disks", "nics"):
        if len(hw.get(key) or []) > 8:
            hw[key] = hw[key][:8]
            changed = True
    return changed


STEPS: list[Step] = [
    ("utilization.series", _cut_series),
    ("findings.evidence", _cut_evidence),
    ("utilization.top_processes", _cut_processes),
    ("findings.subject.cmdline", _cut_cmdlines),
    ("hardware.disks_nics", _cut_disks_and_nics),
    ("findings", _cut_findings),
]


def trim(report_json: bytes, level: int) -> tuple[bytes, list[str]] | None:
    """Apply the first ``level`` trimming steps; None when no step is left to apply."""
    if level > len(STEPS):
        return None
    report = json.loads(report_json)
    done = list(report.get("trimmed") or [])
    for name, step in STEPS[:level]:
        if step(report) and name not in done:
            done.append(name)
    report["trimmed"] = done
    return json.dumps(report, ensure_ascii=False).encode("utf-8"), done
