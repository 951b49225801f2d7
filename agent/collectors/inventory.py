"""Hardware inventory: identity + hardware facts, each collector run safely.

CONTRACT (other modules rely on this signature):
    collect_inventory(ctx: ScanContext) -> tuple[DeviceIdentity, Hardware]
Never raises; collector failures go to ctx.errors.
"""

from __future__ import annotations

import hashlib
import logging
import socket

from agent.collectors.base import ScanContext, run_collector
from agent.collectors.cpu import collect_cpu
from agent.collectors.disks import collect_disks
from agent.collectors.gpu import collect_gpus
from agent.collectors.high_performance import HighPerfThresholds, classify
from agent.collectors.identity import collect_identity
from agent.collectors.memory import collect_memory
from agent.collectors.nics import collect_nics
from agent.collectors.os_info import collect_os
from agent.i18n import _
from agent.report.sanitize import printable
from agent.wire.report import DeviceIdentity, Hardware, HighPerformance

log = logging.getLogger(__name__)


def _fallback_identity() -> DeviceIdentity:
    # Only when the identity collector itself failed; marked so the collector can tell.
    host = printable(socket.gethostname())
    digest = hashlib.sha256(f"minecheck-fingerprint-failed\n{host}".encode()).hexdigest()
    return DeviceIdentity(fingerprint=digest, hostname=host)


def collect_inventory(
    ctx: ScanContext, thresholds: HighPerfThresholds | None = None
) -> tuple[DeviceIdentity, Hardware]:
    # Messages only: the fraction of the whole scan belongs to the caller (agent.scan).
    ctx.report_progress(_("Reading the operating system"))
    os_info = run_collector("os", collect_os, ctx, None)
    ctx.report_progress(_("Reading the processor"))
    cpu = run_collector("cpu", collect_cpu, ctx, None)
    ctx.report_progress(_("Reading the memory"))
    memory = run_collector("memory", collect_memory, ctx, None)
    ctx.report_progress(_("Reading the graphics cards"))
    gpus = run_collector("gpu", collect_gpus, ctx, [])
    ctx.report_progress(_("Reading the disks"))
    disks = run_collector("disks", collect_disks, ctx, [])
    ctx.report_progress(_("Reading the network cards"))
    nics = run_collector("nics", collect_nics, ctx, [])
    ctx.report_progress(_("Identifying the device"))
    identity = run_collector("identity", lambda c: collect_identity(c, nics), ctx, None)
    if identity is None:
        identity = _fallback_identity()
    hw = Hardware(os=os_info, cpu=cpu, gpus=gpus, memory=memory, disks=disks, nics=nics)
    hw.high_performance = run_collector(
        "high_performance", lambda c: classify(hw, thresholds), ctx, HighPerformance()
    )
    ctx.report_progress(_("Inventory done"))
    return identity, hw
