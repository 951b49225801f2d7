"""Hardware inventory: identity + hardware facts from the declared collectors (COLLECTORS),
each run safely.

CONTRACT (other modules rely on this signature):
    collect_inventory(ctx: ScanContext) -> tuple[DeviceIdentity, Hardware]
Never raises; collector failures go to ctx.errors.
"""

from __future__ import annotations

import hashlib
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.collectors.base import ScanContext, run_collector
from agent.collectors.cpu import collect_cpu
from agent.collectors.disks import collect_disks
from agent.collectors.gpu import collect_gpus
from agent.collectors.high_performance import HighPerfThresholds, classify
from agent.collectors.identity import collect_identity
from agent.collectors.memory import collect_memory
from agent.collectors.nics import collect_nics
from agent.collectors.os_info import collect_os
from agent.i18n import N_, _
from agent.report.sanitize import printable
from agent.wire.report import DeviceIdentity, Hardware, HighPerformance

log = logging.getLogger(__name__)


def _fallback_identity() -> DeviceIdentity:
    # Only when the identity collector itself failed; marked so the collector can tell.
    host = printable(socket.gethostname())
    digest = hashlib.sha256(f"minecheck-fingerprint-failed\n{host}".encode()).hexdigest()
    return DeviceIdentity(fingerprint=digest, hostname=host)


@dataclass
class InventoryCollector:
    """One declared inventory collector. ``collect`` may be replaced on the instance (tests)."""

    name: str  # the run_collector name (errors) and the key in what was found so far
    field: str  # the Hardware field it fills ("" for the identity)
    progress: str  # message id shown before it starts
    collect: Callable[[ScanContext, dict[str, Any]], Any]  # (ctx, found so far) -> value
    default: Callable[[], Any] = lambda: None  # the value when it fails


# In this order: identity reads the network cards found before it.
COLLECTORS: list[InventoryCollector] = [
    InventoryCollector("os", "os", N_("Reading the operating system"), lambda c, f: collect_os(c)),
    InventoryCollector("cpu", "cpu", N_("Reading the processor"), lambda c, f: collect_cpu(c)),
    InventoryCollector(
        "memory", "memory", N_("Reading the memory"), lambda c, f: collect_memory(c)
    ),
    InventoryCollector(
        "gpu", "gpus", N_("Reading the graphics cards"), lambda c, f: collect_gpus(c), list
    ),
    InventoryCollector(
        "disks", "disks", N_("Reading the disks"), lambda c, f: collect_disks(c), list
    ),
    InventoryCollector(
        "nics", "nics", N_("Reading the network cards"), lambda c, f: collect_nics(c), list
    ),
    InventoryCollector(
        "identity", "", N_("Identifying the device"), lambda c, f: collect_identity(c, f["nics"])
    ),
]


def by_name(name: str) -> InventoryCollector:
    """The declared inventory collector called ``name``."""
    for collector in COLLECTORS:
        if collector.name == name:
            return collector
    raise KeyError(name)


def collect_inventory(
    ctx: ScanContext, thresholds: HighPerfThresholds | None = None
) -> tuple[DeviceIdentity, Hardware]:
    found: dict[str, Any] = {}
    for collector in COLLECTORS:
        # Messages only: the fraction of the whole scan belongs to the caller (agent.scan).
        ctx.report_progress(_(collector.progress))
        found[collector.name] = run_collector(
            collector.name, lambda c, k=collector: k.collect(c, found), ctx, collector.default()
        )
    identity = found.get("identity") or _fallback_identity()
    hw = Hardware(**{k.field: found[k.name] for k in COLLECTORS if k.field})
    hw.high_performance = run_collector(
        "high_performance", lambda c: classify(hw, thresholds), ctx, HighPerformance()
    )
    ctx.report_progress(_("Inventory done"))
    return identity, hw
