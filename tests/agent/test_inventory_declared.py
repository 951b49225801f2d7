"""The declared inventory collectors: one list that fills every Hardware fact."""

from __future__ import annotations

from agent.collectors.base import ScanContext
from agent.collectors.inventory import COLLECTORS, by_name, collect_inventory
from agent.wire.report import Hardware


def test_the_list_fills_every_hardware_fact_once() -> None:
    names = [c.name for c in COLLECTORS]
    assert len(names) == len(set(names))
    fields = [c.field for c in COLLECTORS if c.field]
    assert sorted(fields) == sorted(set(Hardware.model_fields) - {"high_performance"})
    assert names.index("nics") < names.index("identity")  # identity reads the NICs


def test_a_collector_replaced_on_the_list_is_the_one_that_runs(monkeypatch, fake_platform):
    seen = []
    disks = by_name("disks")
    real = disks.collect

    def spy(ctx, found):
        seen.append(sorted(found))
        return real(ctx, found)

    monkeypatch.setattr(disks, "collect", spy)
    _identity, hw = collect_inventory(ScanContext())
    assert seen == [["cpu", "gpu", "memory", "os"]]  # what ran before it
    assert hw.os.name == "FakeOS" and hw.cpu.brand == "Fake CPU"  # the fake platform's
