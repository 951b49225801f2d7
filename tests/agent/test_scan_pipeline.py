"""The scan pipeline: errors surface in the report, detection lights up when present."""

from __future__ import annotations

import os
import sys
import types

import pytest

import agent.collectors.inventory as inventory_module
import agent.detect.engine as real_engine
import agent.scan
from agent.collectors.base import ScanOptions
from agent.i18n import localized
from agent.scan import build_report
from agent.wire.report import Finding, Strength, Subject, Verdict, VerdictStatus


@pytest.fixture(autouse=True)
def quick_detection(monkeypatch):
    """These tests are about the pipeline; the real detection runs in the CLI end-to-end
    tests. A stand-in engine with no findings keeps them quick."""
    monkeypatch.setattr(agent.scan, "run_detection", lambda ctx, bundle, utilization: [])


@pytest.mark.slow
def test_real_detection_engine_and_bundle_are_wired_in(monkeypatch):
    monkeypatch.setattr(agent.scan, "run_detection", real_engine.run_detection)
    report = build_report(ScanOptions(sample_seconds=0))
    assert report.signatures.version != "none"
    assert not [e for e in report.errors if e.collector in ("detection", "signatures", "verdict")]


def test_scan_without_sampling_fills_the_report():
    seen: list[tuple[str, float | None]] = []
    report = build_report(ScanOptions(sample_seconds=0), progress=lambda m, f: seen.append((m, f)))
    assert report.utilization is None
    assert report.agent.platform == sys.platform
    assert report.agent.frozen is False
    assert report.finished_at is not None and report.finished_at >= report.started_at
    assert report.device.hostname
    assert report.verdict.status in (
        VerdictStatus.clean,
        VerdictStatus.suspicious,
        VerdictStatus.mining,
    )
    assert report.verdict.incomplete == []
    assert seen and seen[-1][1] == 1.0
    fractions = [f for _m, f in seen if f is not None]
    assert fractions == sorted(fractions)


@pytest.mark.slow
def test_scan_with_sampling_reports_utilization_but_not_itself():
    report = build_report(ScanOptions(sample_seconds=1.5))
    util = report.utilization
    assert util is not None and util.samples >= 1 and util.window_seconds >= 1.4
    assert all(p.pid != os.getpid() for p in util.top_processes)


def test_failing_collector_ends_in_errors_and_the_rest_comes_out(monkeypatch):
    def broken(ctx):
        raise OSError(5, "Input/output error reading SMBIOS")

    monkeypatch.setattr(inventory_module, "collect_inventory", broken)
    report = build_report(ScanOptions(sample_seconds=0.5))
    errors = {e.collector: e for e in report.errors}
    assert "inventory" in errors
    assert "Input/output error" in (errors["inventory"].detail or "")
    assert errors["inventory"].message.zh and errors["inventory"].message.en
    # the rest still comes out: a device identity and the utilization sampling
    assert report.device.hostname and len(report.device.fingerprint) == 64
    assert report.utilization is not None and report.utilization.samples >= 1


def test_failing_sampler_is_reported(monkeypatch):
    import agent.sampling.sampler as sampler_module

    def boom(self, *a, **k):
        raise PermissionError("denied: /proc/stat")

    monkeypatch.setattr(sampler_module.UtilizationSampler, "sample_for", boom)
    report = build_report(ScanOptions(sample_seconds=1))
    assert report.utilization is None
    sampling = [e for e in report.errors if e.collector == "sampling"]
    assert sampling and sampling[0].kind == "permission"


def test_without_root_the_report_says_what_was_not_examined(monkeypatch):
    import agent.platform

    monkeypatch.setattr(agent.platform, "is_privileged", lambda: False)
    report = build_report(ScanOptions(sample_seconds=0))
    assert report.agent.privileged is False
    assert any("administrator" in lim.en for lim in report.limitations)
    assert all(lim.zh and lim.zh != lim.en for lim in report.limitations)


def _finding(strength: Strength) -> Finding:
    return Finding(
        kind="pool_connection",
        strength=strength,
        title=localized("Mining found"),
        action=localized("What to do"),
        subject=Subject(pid=1234, process_name="xmrig", remote="127.0.0.1:3333"),
        rule="pool:test",
    )


def _install_detection(monkeypatch, findings, verdict=None, engine_error=None):
    bundle = types.SimpleNamespace(
        version="2026.11.1",
        source="builtin",
        rules_sha256="ab" * 32,
        file_rules=object(),
        memory_rules=object(),
        problems=[localized("Nothing to show.")],
    )
    monkeypatch.setattr(agent.scan, "load_bundle", lambda: bundle)
    calls = []

    def run_detection(ctx, b, utilization):
        calls.append((b, utilization))
        if engine_error:
            raise engine_error
        return findings

    monkeypatch.setattr(agent.scan, "run_detection", run_detection)
    monkeypatch.setattr(agent.scan, "decide", lambda fs: verdict or Verdict())
    return calls


def test_detection_and_bundle_are_used_when_present(monkeypatch):
    findings = [_finding(Strength.strong)]
    calls = _install_detection(
        monkeypatch, findings, Verdict(status=VerdictStatus.mining, mode="active")
    )
    report = build_report(ScanOptions(sample_seconds=0.5))
    assert len(calls) == 1 and calls[0][1] is report.utilization
    assert report.findings == findings
    assert report.verdict.status == VerdictStatus.mining
    assert report.verdict.incomplete == []
    assert report.signatures.version == "2026.11.1"
    assert report.signatures.rules_sha256 == "ab" * 32
    assert localized("Nothing to show.") in report.limitations


def test_detection_failure_is_incomplete_never_clean(monkeypatch):
    _install_detection(monkeypatch, [], engine_error=RuntimeError("yara compile"))
    report = build_report(ScanOptions(sample_seconds=0))
    assert any(e.collector == "detection" for e in report.errors)
    assert report.verdict.status == VerdictStatus.incomplete
    assert any(
        "detection engine" in x.en and "RuntimeError" in x.en for x in report.verdict.incomplete
    )
    assert all(x.zh and x.zh != x.en for x in report.verdict.incomplete)


def test_failing_verdict_engine_is_incomplete_not_a_guess(monkeypatch):
    _install_detection(monkeypatch, [_finding(Strength.weak)])

    def broken(findings):
        raise ImportError("DLL load failed while importing verdict")

    monkeypatch.setattr(agent.scan, "decide", broken)
    report = build_report(ScanOptions(sample_seconds=0))
    assert report.verdict.status == VerdictStatus.incomplete
    assert any("verdict engine" in x.en for x in report.verdict.incomplete)


def test_unreadable_processes_become_a_limitation(monkeypatch):
    from agent.sampling.proctimes import ProcTimesReader

    original = ProcTimesReader.read_all

    def denied(self):
        found = original(self)
        self.denied = 2
        return found

    monkeypatch.setattr(ProcTimesReader, "read_all", denied)
    report = build_report(ScanOptions(sample_seconds=0.5))
    assert report.utilization is not None and report.utilization.invisible_cpu_percent is None
    assert any("hidden processes" in lim.en and "2" in lim.en for lim in report.limitations)


def test_nvml_failure_is_an_error_but_no_driver_is_not(monkeypatch):
    import agent.platform.nvml as gpu_module
    from tests.fixtures.nvml_fake import FakeGpu, make_fake_nvml

    real = gpu_module.GpuSampler
    monkeypatch.setattr(
        gpu_module, "GpuSampler", lambda: real(make_fake_nvml([FakeGpu()], init_error="Unknown"))
    )
    report = build_report(ScanOptions(sample_seconds=0.3))
    assert [e.collector for e in report.errors if e.collector == "gpu_sampling"] == ["gpu_sampling"]
    monkeypatch.setattr(
        gpu_module,
        "GpuSampler",
        lambda: real(make_fake_nvml([FakeGpu()], init_error="DriverNotLoaded")),
    )
    report = build_report(ScanOptions(sample_seconds=0.3))
    assert not [e for e in report.errors if e.collector == "gpu_sampling"]
