"""The declared scanners: one list, well-formed declarations, completeness names them, and
the engine honours platforms, bundle needs and conditions."""

from __future__ import annotations

import dataclasses

import pytest

from agent.bundle.loader import LoadedBundle
from agent.collectors.base import ScanContext, ScanOptions
from agent.detect import completeness, engine, scanners
from agent.detect.engine import DetectionSettings, new_run, run_scanner
from agent.detect.scanners import SCANNERS, Scanner
from agent.platform import NAMES
from tests.fixtures.miners.bundles import detection_bundle

BUNDLE_FIELDS = {f.name for f in dataclasses.fields(LoadedBundle)}


def test_each_scanner_module_declares_one_scanner_in_the_list() -> None:
    names = [s.name for s in SCANNERS]
    assert len(names) == len(set(names))
    import pkgutil

    modules = {
        m.name for m in pkgutil.iter_modules(scanners.__path__)
    } - {"base", "yara_matches"}  # fmt: skip
    declared = {getattr(scanners, m).SCANNER.name for m in modules}
    assert declared == set(names)


@pytest.mark.parametrize("scanner", SCANNERS, ids=lambda s: s.name)
def test_declarations_name_real_platforms_and_bundle_parts(scanner: Scanner) -> None:
    assert scanner.platforms <= set(NAMES) - {"fake"}
    assert set(scanner.needs) <= BUNDLE_FIELDS
    assert callable(scanner.run)


def test_completeness_names_the_declared_required_scanners() -> None:
    declared = {s.name for s in SCANNERS}
    required = {s.name for s in SCANNERS if s.required}
    checks = completeness.REQUIRED_CHECKS
    assert set(checks) - declared == set(completeness.PIPELINE_CHECKS)
    assert required <= set(checks)
    assert required >= {"command_lines", "miner_names", "miner_configs", "connections",
                        "yara_files", "yara_memory"}  # fmt: skip


def _ran(monkeypatch, run) -> list[str]:
    ran: list[str] = []
    for s in SCANNERS:
        monkeypatch.setattr(s, "run", lambda r, name=s.name: ran.append(name) or [])
    for s in SCANNERS:
        run_scanner(s, run)
    return ran


def test_platform_and_conditions_choose_what_runs(monkeypatch, platform_as) -> None:
    bundle = detection_bundle()
    platform_as("windows")
    ran = _ran(monkeypatch, new_run(bundle, DetectionSettings(root="/")))
    assert "ld_preload" not in ran and "hidden_processes" not in ran
    assert "yara_folders" not in ran and "connections" in ran  # --deep only
    platform_as("linux")
    deep = ScanContext(options=ScanOptions(deep=True))
    ran = _ran(monkeypatch, new_run(bundle, DetectionSettings(root="/"), deep))
    assert {"ld_preload", "hidden_processes", "yara_folders"} <= set(ran)
    ran = _ran(monkeypatch, new_run(bundle, DetectionSettings(root="/tmp/x")))
    assert "hidden_processes" not in ran  # not on a test root


def test_a_scanner_whose_bundle_part_is_missing_does_not_run(monkeypatch) -> None:
    bundle = dataclasses.replace(detection_bundle(), memory_rules=None)
    ran = _ran(monkeypatch, new_run(bundle, DetectionSettings()))
    assert "yara_memory" not in ran and "yara_files" in ran


def test_a_failing_scanner_becomes_an_error_and_the_rest_still_run(monkeypatch) -> None:
    def broken(run):
        raise RuntimeError("boom")

    monkeypatch.setattr(scanners.by_name("persistence"), "run", broken)
    ctx = ScanContext()
    engine.run_detection(
        ctx, detection_bundle(), None, DetectionSettings(root="/nonexistent", pids=set())
    )
    assert [e.collector for e in ctx.errors] == ["persistence"]
