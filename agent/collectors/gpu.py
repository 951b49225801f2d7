"""GPU collector: NVIDIA GPUs through NVML, other adapters from the OS (sysfs / WMI).

No NVIDIA driver is the normal case on most PCs, not an error. An NVIDIA card that NVML
already reported is not listed a second time from the OS.
"""

from __future__ import annotations

from types import ModuleType

import agent.platform as plat
from agent.collectors.base import ScanContext
from agent.collectors.pci_names import adapter_name, is_discrete, vendor_of
from agent.i18n import N_
from agent.nvml import NvmlError, NvmlSession
from agent.wire.report import GPUInfo


def nvml_gpus(ctx: ScanContext, nvml_module: ModuleType | None = None) -> list[GPUInfo]:
    """NVIDIA GPUs with static facts and current readings; [] when there is no driver."""
    session = NvmlSession(nvml_module)
    try:
        if not session.open():
            return []
    except NvmlError as exc:
        ctx.add_error("gpu", "error", N_("NVIDIA driver (NVML) failed: {error}"),
                      detail=str(exc), error=exc.kind)
        return []
    try:
        driver = session.driver_version()
        cuda = session.cuda_version()
        gpus: list[GPUInfo] = []
        for index, handle in session.handles:
            st = session.static(index, handle)
            now = session.now(index, handle)
            if index in session.lost:
                continue
            gpus.append(GPUInfo(
                vendor="nvidia",
                name=st.name or f"NVIDIA GPU {index}",
                source="nvml",
                uuid=st.uuid,
                pci_bus_id=st.pci_bus_id,
                pci_id=st.pci_id,
                memory_total_mb=st.memory_total_mb,
                driver_version=driver,
                cuda_version=cuda,
                power_limit_w=st.power_limit_w,
                utilization_percent=now.utilization_percent,
                memory_used_mb=now.memory_used_mb,
                power_w=now.power_w,
                temperature_c=now.temperature_c,
                discrete=True,
            ))
        if session.lost:
            ctx.add_error("gpu", "error",
                          N_("{count} NVIDIA GPU(s) stopped answering (GPU lost); "
                             "check the card, its power and its driver."),
                          count=len(session.lost))
        return gpus
    finally:
        session.close()


def os_gpus() -> list[GPUInfo]:
    """Display adapters the OS lists (all vendors)."""
    out: list[GPUInfo] = []
    if plat.IS_WINDOWS:
        from agent.platform.windows.inventory import read_video_controllers
        from agent.platform.windows.source import default_source

        for vc in read_video_controllers(default_source()):
            vendor, _ = vendor_of(vc.vendor_id)
            mb = round(vc.memory_bytes / 2**20, 1) if vc.memory_bytes else None
            if not (vc.pnp_device_id or "").upper().startswith("PCI\\"):
                continue  # ROOT\BasicDisplay, SWD\RemoteDisplayEnum: no card of its own
            name = vc.name
            if vc.vendor_id and vc.device_id and name.lower().startswith("microsoft basic"):
                name = adapter_name(vc.vendor_id, vc.device_id)  # a card without its driver
            out.append(GPUInfo(
                vendor=vendor,
                name=name,
                source="wmi",
                pci_id=f"{vc.vendor_id}:{vc.device_id}" if vc.vendor_id else None,
                memory_total_mb=mb,
                driver_version=vc.driver_version,
                discrete=is_discrete(vc.vendor_id, vc.device_id, mb),
            ))
    elif plat.IS_LINUX:
        from agent.platform.linux.gpu import list_drm_adapters

        for ad in list_drm_adapters():
            vendor, _ = vendor_of(ad.vendor_id)
            mb = round(ad.vram_bytes / 2**20, 1) if ad.vram_bytes else None
            out.append(GPUInfo(
                vendor=vendor,
                name=adapter_name(ad.vendor_id, ad.device_id),
                source="sysfs",
                pci_bus_id=ad.pci_bus_id,
                pci_id=f"{ad.vendor_id}:{ad.device_id}",
                memory_total_mb=mb,
                utilization_percent=ad.busy_percent,
                memory_used_mb=round(ad.vram_used_bytes / 2**20, 1) if ad.vram_used_bytes else None,
                driver_version=None,
                discrete=is_discrete(ad.vendor_id, ad.device_id, mb),
            ))
    return out


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
        if g.vendor == "nvidia" and g.pci_id is None and nvml and any(
            n.name.lower() in g.name.lower() or g.name.lower() in n.name.lower() for n in nvml
        ):
            continue
        out.append(g)
    return out


def collect_gpus(ctx: ScanContext, nvml_module: ModuleType | None = None) -> list[GPUInfo]:
    nvml = nvml_gpus(ctx, nvml_module)
    try:
        listed = os_gpus()
    except Exception as exc:  # noqa: BLE001 - WMI raises COM errors; NVML results stay
        ctx.add_error("gpu", "error", N_("Could not list display adapters: {error}"),
                      detail=f"{type(exc).__name__}: {exc}", error=type(exc).__name__)
        listed = []
    gpus = merge(nvml, listed)
    if not nvml and any(g.vendor == "nvidia" for g in gpus):
        ctx.add_limitation(N_("An NVIDIA graphics card is present but its driver (NVML) is "
                              "not available, so its load cannot be measured."))
    return gpus
