"""The scan pipeline: inventory -> sampling -> detection -> verdict -> :class:`Report`.

Every step runs behind :func:`run_collector`, so a failing step ends up in ``report.errors``
and the rest of the report still comes out. A step the verdict depends on that failed or
ran out of time makes the verdict ``incomplete`` (never ``clean``): see
:mod:`agent.detect.completeness`. Every string of the report passes through
:func:`agent.report.sanitize.scrub` before it leaves this module.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from typing import Any

import agent.platform as plat
from agent import __version__
from agent.bundle import LoadedBundle, load_bundle
from agent.collectors.base import ProgressCallback, ScanContext, ScanOptions, run_collector
from agent.detect.completeness import apply_incomplete, missing_checks
from agent.detect.engine import run_detection
from agent.detect.incidents import build_incidents
from agent.detect.verdict import decide
from agent.i18n import N_, _
from agent.report.sanitize import printable, scrub
from agent.wire.report import (
    AgentInfo,
    DeviceIdentity,
    Finding,
    Hardware,
    Report,
    SignatureBundleInfo,
    Utilization,
    utcnow,
)

log = logging.getLogger(__name__)

# Share of the progress bar each stage takes (sampling gets what inventory/detection leave).
_INVENTORY_END = 0.1
_DETECTION_START = 0.85


def build_report(
    options: ScanOptions, progress: ProgressCallback | None = None, command: str = "scan"
) -> Report:
    """Run a whole scan of this machine and return the report (never raises for a step)."""
    from agent import platform as agent_platform

    started = utcnow()
    ctx = ScanContext(options=options, privileged=agent_platform.is_privileged(), progress=progress)
    ctx.own_pids.add(os.getpid())
    if not ctx.privileged:
        ctx.add_limitation(
            N_(
                "Not run as administrator/root: other users' and system processes could only "
                "partly be examined (executables, command lines, memory, network connections "
                "and some autostart entries). Run it as administrator for a complete check."
            )
        )

    ctx.report_progress(_("Reading the hardware inventory"), 0.0)
    identity, hardware = _inventory(ctx)

    utilization: Utilization | None = None
    if options.sample_seconds > 0:
        utilization = run_collector("sampling", lambda c: sample_utilization(c), ctx, None)

    background = _background_utilization(command)

    ctx.report_progress(_("Loading the signatures"), _DETECTION_START)
    bundle = run_collector("signatures", _load_bundle, ctx, None)
    ctx.report_progress(_("Looking for mining software"), _DETECTION_START + 0.02)
    seen = _merge_background(utilization, background)
    with _stage(ctx, _DETECTION_START + 0.02, 0.99):
        findings = run_collector("detection", lambda c: _run_detection(c, bundle, seen), ctx, [])
    verdict = run_collector("verdict", lambda c: decide(findings), ctx, None)
    verdict = apply_incomplete(verdict, missing_checks(ctx.errors, bundle))
    findings, incidents = run_collector(
        "incidents", lambda c: build_incidents(findings, c.processes), ctx, (findings, [])
    )
    ctx.report_progress(_("Writing the report"), 1.0)

    report = Report(
        started_at=started,
        finished_at=utcnow(),
        agent=AgentInfo(
            version=__version__,
            platform=plat.SYS_PLATFORM,
            frozen=bool(getattr(sys, "frozen", False)),
            privileged=ctx.privileged,
            language=options.lang,
            command=command,
        ),
        signatures=_bundle_info(bundle),
        device=identity,
        hardware=hardware,
        utilization=utilization,
        background_utilization=background,
        findings=findings,
        incidents=incidents,
        verdict=verdict,
        errors=ctx.errors,
        limitations=ctx.limitations,
    )
    return scrub(report)


@contextlib.contextmanager
def _stage(ctx: ScanContext, low: float, high: float) -> Iterator[None]:
    """Map a step's own progress fractions (0..1) onto its share ``low..high`` of the bar."""
    outer = ctx.progress
    if outer is not None:

        def scaled(message: str, fraction: float | None = None) -> None:
            if fraction is not None:
                fraction = low + (high - low) * max(0.0, min(1.0, fraction))
            outer(message, fraction)

        ctx.progress = scaled
    try:
        yield
    finally:
        ctx.progress = outer


def _inventory(ctx: ScanContext) -> tuple[DeviceIdentity, Hardware]:
    from agent.collectors.inventory import collect_inventory

    with _stage(ctx, 0.0, _INVENTORY_END):
        result = run_collector("inventory", collect_inventory, ctx, None)
    if result is None:
        import hashlib
        import socket

        host = printable(socket.gethostname())
        identity = DeviceIdentity(
            fingerprint=hashlib.sha256(f"hostname:{host}".encode()).hexdigest(), hostname=host
        )
        return identity, Hardware()
    return result


def sample_utilization(ctx: ScanContext) -> Utilization:
    """Sample for ``ctx.options.sample_seconds``, reporting progress once a second."""
    from agent.platform import user_idle_seconds
    from agent.platform.nvml import GpuSampler
    from agent.sampling.sampler import UtilizationSampler

    try:
        gpu: Any = GpuSampler()
    except Exception as exc:  # noqa: BLE001 - no GPU sampling is not fatal
        ctx.add_error(
            "gpu_sampling",
            "unavailable",
            N_("GPU sampling is not available ({error})."),
            detail=f"{type(exc).__name__}: {exc}",
            error=type(exc).__name__,
        )
        gpu = None
    if gpu is not None and getattr(gpu, "error", None):
        # NVML is there but failed (not the normal "no NVIDIA driver" case)
        ctx.add_error(
            "gpu_sampling",
            "error",
            N_("GPU sampling is not available ({error})."),
            detail=str(gpu.error),
            error=str(gpu.error),
        )
    window = ctx.options.sample_seconds
    span = _DETECTION_START - _INVENTORY_END

    def progress(elapsed: float, total: float) -> None:
        ctx.report_progress(
            _("Measuring CPU and GPU use ({elapsed:.0f}/{total:.0f} s)").format(
                elapsed=elapsed, total=total
            ),
            _INVENTORY_END + span * (elapsed / total if total else 1.0),
        )

    sampler = UtilizationSampler(gpu=gpu, own_pids=ctx.own_pids, idle_probe=user_idle_seconds)
    try:
        result = sampler.sample_for(window, progress=progress)
    finally:
        if gpu is not None:
            try:
                gpu.close()
            except Exception:
                log.debug("GPU sampler close failed", exc_info=True)
    if not sampler.cross_view_reliable:
        ctx.add_limitation(
            N_(
                "The check for hidden processes was skipped: the CPU use of {count} "
                "process(es) could not be read without administrator/root rights."
            ),
            count=sampler.unreadable_processes or "?",
        )
    for problem in sampler.errors:
        ctx.add_error(
            "sampling",
            "error",
            N_("Part of the utilization sampling failed: {problem}"),
            detail=problem,
            problem=problem,
        )
    return result


def _load_bundle(ctx: ScanContext) -> LoadedBundle:
    bundle = load_bundle()
    for problem in bundle.problems:
        if problem not in ctx.limitations:
            ctx.limitations.append(problem)
    return bundle


def _bundle_info(bundle: LoadedBundle | None) -> SignatureBundleInfo:
    if bundle is None:
        return SignatureBundleInfo()
    return SignatureBundleInfo(
        version=str(bundle.version), source=str(bundle.source), rules_sha256=bundle.rules_sha256
    )


def _background_utilization(command: str) -> Utilization | None:
    """What the scheduled-mode supervisor sampled since the last scan (scheduled runs only)."""
    if command != "run":
        return None
    from agent.paths import home_dir
    from agent.runner.background import take

    return take(home_dir())


def _merge_background(
    utilization: Utilization | None, background: Utilization | None
) -> Utilization | None:
    from agent.runner.background import merge_for_detection

    return merge_for_detection(utilization, background)


def _run_detection(
    ctx: ScanContext, bundle: LoadedBundle | None, utilization: Utilization | None
) -> list[Finding]:
    if bundle is None:
        ctx.add_limitation(N_("No signature bundle could be loaded; detection was skipped."))
        return []
    return list(run_detection(ctx, bundle, utilization))
