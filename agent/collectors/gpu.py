"""GPU collector: NVIDIA GPUs through NVML (agent.platform.nvml), other adapters from the
OS (sysfs / WMI through agent.platform).

No NVIDIA driver is the normal case on most PCs, not an error. An NVIDIA card that NVML
already reported is not listed a second time from the OS.
"""

from __future__ import annotations

from types import ModuleType

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.i18n import N_
from agent.platform.nvml import nvml_gpus
from agent.wire.report import GPUInfo


def os_gpus() -> list[GPUInfo]:
    """Display adapters the OS lists (all vendors; sysfs / WMI)."""
    return plat.display_adapters()


def merge(nvml: list[GPUInfo], listed: list[GPUInfo]) -> list[GPUInfo]:
    """NVML GPUs plus OS adapters NVML did not already report (match bus id, then PCI id)."""
    buses = {g.pci_bus_id for g in nvml if g.pci_bus_id}
    unmatched = [g.pci_id for g in nvml if g.pci_id]
    out = list(nvml)
    for g in listed:
        if g.pci_bus_id and g.pci_bus_id in buses:
            continue
        if g.vendor == "nvidia" and g.pci_bus_id is None and g.pci_id in unmatched:
            unmatched.remove(g.pci_id)  # Windows lists no bus id: match one NVML GPU per id
            continue
        if (
            g.vendor == "nvidia"
            and g.pci_id is None
            and nvml
            and any(
                n.name.lower() in g.name.lower() or g.name.lower() in n.name.lower() for n in nvml
            )
        ):
            continue
        out.append(g)
    return out


def collect_gpus(ctx: ScanContext, nvml_module: ModuleType | None = None) -> list[GPUInfo]:
    nvml = nvml_gpus(ctx, nvml_module)
    try:
        listed = os_gpus()
    except Exception as exc:  # noqa: BLE001 - WMI raises COM errors; NVML results stay
        ctx.add_error(
            "gpu",
            "error",
            N_("Could not list display adapters: {error}"),
            detail=f"{type(exc).__name__}: {exc}",
            error=type(exc).__name__,
        )
        listed = []
    gpus = merge(nvml, listed)
    if not nvml and any(g.vendor == "nvidia" for g in gpus):
        ctx.add_limitation(
            N_(
                "An NVIDIA graphics card is present but its driver (NVML) is "
                "not available, so its load cannot be measured."
            )
        )
    return gpus
