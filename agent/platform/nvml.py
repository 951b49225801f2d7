"""NVML (module ``pynvml`` from nvidia-ml-py), the same API on Linux and Windows: one
module for init/shutdown, error classes, per-device static and current facts, the
inventory's NVIDIA GPUs (:func:`nvml_gpus`) and the sampler's readings (:class:`GpuSampler`).

CONTRACT (used by agent.sampling.sampler):
    class GpuSampler:
        def __init__(self, nvml_module=None)  # None -> import pynvml; tests pass a fake
        available: bool                       # False when no NVIDIA driver (normal case)
        def sample(self) -> list[GpuSample]   # one row per GPU, now
        def process_usage(self) -> dict[int, ProcessGpuUse]  # pid -> use, where NVML tells
        def close(self) -> None

No NVIDIA driver is the normal case on most PCs: :meth:`NvmlSession.open` then returns
False with ``absent_reason`` set, and nothing raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from agent.i18n import N_
from agent.wire.report import GPUInfo

if TYPE_CHECKING:
    from agent.collectors.base import ScanContext

log = logging.getLogger(__name__)

# Error classification (what a caller does with an NVMLError)
ABSENT = "absent"  # no library / no driver / no GPU: the normal case
NOT_SUPPORTED = "not_supported"  # this query is not available on this GPU/driver: normal
GPU_LOST = "gpu_lost"  # the GPU fell off the bus or needs a reset
PERMISSION = "permission"
ERROR = "error"

_ABSENT_NAMES = (
    "NVMLError_LibraryNotFound",
    "NVMLError_DriverNotLoaded",
    "NVMLError_FunctionNotFound",
    "NVMLError_LibRmVersionMismatch",
)
_NOT_SUPPORTED_NAMES = ("NVMLError_NotSupported", "NVMLError_NotFound", "NVMLError_NoData")
_LOST_NAMES = ("NVMLError_GpuIsLost", "NVMLError_ResetRequired", "NVMLError_GpuNotFound")
_PERMISSION_NAMES = ("NVMLError_NoPermission",)

NVML_TEMPERATURE_GPU = 0  # nvmlTemperatureSensors_t NVML_TEMPERATURE_GPU


def load_module(nvml_module: ModuleType | None = None) -> ModuleType | None:
    """The given module, else ``pynvml`` if importable, else None."""
    if nvml_module is not None:
        return nvml_module
    try:
        import pynvml
    except ImportError:
        return None
    return pynvml


def classify(nvml: ModuleType, exc: BaseException) -> str:
    """Map an exception raised by an NVML call to one of the classes above."""

    def is_any(names: tuple[str, ...]) -> bool:
        classes = [getattr(nvml, n, None) for n in names]
        return any(isinstance(cls, type) and isinstance(exc, cls) for cls in classes)

    if is_any(_ABSENT_NAMES):
        return ABSENT
    if is_any(_NOT_SUPPORTED_NAMES):
        return NOT_SUPPORTED
    if is_any(_LOST_NAMES):
        return GPU_LOST
    if is_any(_PERMISSION_NAMES):
        return PERMISSION
    if isinstance(exc, OSError):  # the shared library exists but cannot be loaded
        return ABSENT
    return ERROR


def text(value: Any) -> str | None:
    """NVML strings are bytes in older nvidia-ml-py versions and str in newer ones."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    value = str(value).strip().strip("\x00")
    return value or None


def cuda_version_text(raw: int | None) -> str | None:
    """nvmlSystemGetCudaDriverVersion: 12040 -> '12.4'."""
    if not raw:
        return None
    return f"{raw // 1000}.{(raw % 1000) // 10}"


def bus_id_text(raw: Any) -> str | None:
    """'00000000:01:00.0' -> '0000:01:00.0' (the Linux sysfs / lspci form)."""
    bus = text(raw)
    if not bus:
        return None
    bus = bus.lower()
    domain, _, rest = bus.partition(":")
    if rest and len(domain) == 8:
        bus = f"{domain[-4:]}:{rest}"
    return bus


@dataclass
class DeviceStatic:
    """Facts that do not change while the machine runs."""

    index: int
    name: str | None = None
    uuid: str | None = None
    pci_bus_id: str | None = None
    pci_id: str | None = None
    memory_total_mb: float | None = None
    power_limit_w: float | None = None


@dataclass
class DeviceNow:
    """Current readings of one device; None where NVML does not say."""

    utilization_percent: float | None = None
    memory_used_mb: float | None = None
    power_w: float | None = None
    temperature_c: float | None = None


class NvmlError(Exception):
    """An NVML failure that is not the normal 'no driver' / 'not supported' case."""

    def __init__(self, kind: str, call: str, exc: BaseException) -> None:
        super().__init__(f"{call}: {type(exc).__name__}: {exc}")
        self.kind = kind
        self.call = call


class NvmlSession:
    """One nvmlInit..nvmlShutdown span (NVML counts inits, so sessions may overlap)."""

    def __init__(self, nvml_module: ModuleType | None = None) -> None:
        self.nvml = load_module(nvml_module)
        self.opened = False
        self.absent_reason: str | None = None if self.nvml else "pynvml not installed"
        self._handles: list[tuple[int, Any]] = []
        self.lost: set[int] = set()

    def open(self) -> bool:
        """Initialise NVML; False (with ``absent_reason``) when there is no NVIDIA driver.

        Raises NvmlError for an unexpected failure (corrupt driver, permission).
        """
        if self.opened:
            return True
        if self.nvml is None:
            return False
        try:
            self.nvml.nvmlInit()
        except Exception as exc:
            kind = classify(self.nvml, exc)
            if kind in (ABSENT, NOT_SUPPORTED):
                self.absent_reason = f"{type(exc).__name__}: {exc}"
                return False
            raise NvmlError(kind, "nvmlInit", exc) from exc
        self.opened = True
        self._handles = []
        count = self.call("nvmlDeviceGetCount", default=0) or 0
        for i in range(int(count)):
            try:
                self._handles.append((i, self.nvml.nvmlDeviceGetHandleByIndex(i)))
            except Exception as exc:  # noqa: BLE001
                if classify(self.nvml, exc) in (GPU_LOST, ERROR, PERMISSION):
                    self.lost.add(i)
                log.debug("nvmlDeviceGetHandleByIndex(%d) failed: %s", i, exc)
        if not self._handles and not self.lost:
            self.absent_reason = "no NVIDIA GPU"
        return True

    def close(self) -> None:
        if self.opened and self.nvml is not None:
            try:
                self.nvml.nvmlShutdown()
            except Exception:
                log.debug("nvmlShutdown failed", exc_info=True)
        self.opened = False
        self._handles = []

    def __enter__(self) -> NvmlSession:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def handles(self) -> list[tuple[int, Any]]:
        """(index, handle) of every GPU still answering."""
        return [(i, h) for i, h in self._handles if i not in self.lost]

    def call(self, fn_name: str, *args: Any, default: Any = None, index: int | None = None) -> Any:
        """Call ``nvml.fn_name(*args)``; NotSupported/absent -> ``default``.

        A lost GPU is remembered (``index``) and answers ``default`` from then on; any other
        failure is logged and answers ``default`` too, so one bad reading never aborts a scan.
        """
        fn = getattr(self.nvml, fn_name, None)
        if fn is None:
            return default
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001
            kind = classify(self.nvml, exc)
            if kind == GPU_LOST and index is not None:
                self.lost.add(index)
            if kind != NOT_SUPPORTED:
                log.debug("%s failed (%s): %s", fn_name, kind, exc)
            return default

    # --- facts ------------------------------------------------------------------------

    def driver_version(self) -> str | None:
        return text(self.call("nvmlSystemGetDriverVersion"))

    def cuda_version(self) -> str | None:
        raw = self.call("nvmlSystemGetCudaDriverVersion_v2")
        if raw is None:
            raw = self.call("nvmlSystemGetCudaDriverVersion")
        return cuda_version_text(raw)

    def static(self, index: int, handle: Any) -> DeviceStatic:
        info = DeviceStatic(index=index)
        info.name = text(self.call("nvmlDeviceGetName", handle, index=index))
        info.uuid = text(self.call("nvmlDeviceGetUUID", handle, index=index))
        pci = self.call("nvmlDeviceGetPciInfo", handle, index=index)
        if pci is not None:
            info.pci_bus_id = bus_id_text(getattr(pci, "busId", None)) or bus_id_text(
                getattr(pci, "busIdLegacy", None)
            )
            dev_id = getattr(pci, "pciDeviceId", None)
            if dev_id:  # device id in the high 16 bits, vendor id in the low 16 bits
                info.pci_id = f"{dev_id & 0xFFFF:04x}:{(dev_id >> 16) & 0xFFFF:04x}"
        mem = self.call("nvmlDeviceGetMemoryInfo", handle, index=index)
        if mem is not None:
            info.memory_total_mb = round(mem.total / 2**20, 1)
        limit = self.call("nvmlDeviceGetEnforcedPowerLimit", handle, index=index)
        if limit is None:
            limit = self.call("nvmlDeviceGetPowerManagementLimit", handle, index=index)
        if limit is not None:
            info.power_limit_w = round(limit / 1000.0, 1)
        return info

    def now(self, index: int, handle: Any) -> DeviceNow:
        out = DeviceNow()
        util = self.call("nvmlDeviceGetUtilizationRates", handle, index=index)
        if util is not None:
            out.utilization_percent = float(util.gpu)
        mem = self.call("nvmlDeviceGetMemoryInfo", handle, index=index)
        if mem is not None:
            out.memory_used_mb = round(mem.used / 2**20, 1)
        power = self.call("nvmlDeviceGetPowerUsage", handle, index=index)  # milliwatts
        if power is not None:
            out.power_w = round(power / 1000.0, 1)
        temp = self.call("nvmlDeviceGetTemperature", handle, NVML_TEMPERATURE_GPU, index=index)
        if temp is not None:
            out.temperature_c = float(temp)
        return out


# --- inventory: NVIDIA GPUs -------------------------------------------------------------


def nvml_gpus(ctx: ScanContext, nvml_module: ModuleType | None = None) -> list[GPUInfo]:
    """NVIDIA GPUs with static facts and current readings; [] when there is no driver."""
    session = NvmlSession(nvml_module)
    try:
        if not session.open():
            return []
    except NvmlError as exc:
        ctx.add_error(
            "gpu",
            "error",
            N_("NVIDIA driver (NVML) failed: {error}"),
            detail=str(exc),
            error=exc.kind,
        )
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
            gpus.append(
                GPUInfo(
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
                )
            )
        if session.lost:
            ctx.add_error(
                "gpu",
                "error",
                N_(
                    "{count} NVIDIA GPU(s) stopped answering (GPU lost); "
                    "check the card, its power and its driver."
                ),
                count=len(session.lost),
            )
        return gpus
    finally:
        session.close()


# --- sampling: readings now and per-process use -----------------------------------------


@dataclass
class GpuSample:
    index: int
    uuid: str | None
    name: str | None
    utilization_percent: float | None
    memory_used_mb: float | None
    power_w: float | None


@dataclass
class ProcessGpuUse:
    pid: int
    memory_used_mb: float | None = None
    utilization_percent: float | None = None


class GpuSampler:
    """Current per-GPU readings and per-process GPU use; empty when there is no NVIDIA GPU."""

    def __init__(self, nvml_module: ModuleType | None = None) -> None:
        self.session = NvmlSession(nvml_module)
        self.error: str | None = None
        try:
            self.available = self.session.open() and bool(self.session.handles)
        except NvmlError as exc:
            self.error = str(exc)
            self.available = False
        self._static = {}
        if not self.available:
            self.session.close()  # nvmlInit succeeded with no GPU: release it now
        else:
            self._static = {i: self.session.static(i, h) for i, h in self.session.handles}
        self._last_seen: dict[int, int] = {}  # device index -> lastSeenTimeStamp (µs)

    def sample(self) -> list[GpuSample]:
        rows: list[GpuSample] = []
        if not self.available:
            return rows
        for index, handle in self.session.handles:
            now = self.session.now(index, handle)
            if index in self.session.lost:  # fell off the bus during this reading
                continue
            static = self._static.get(index)
            rows.append(
                GpuSample(
                    index=index,
                    uuid=static.uuid if static else None,
                    name=static.name if static else None,
                    utilization_percent=now.utilization_percent,
                    memory_used_mb=now.memory_used_mb,
                    power_w=now.power_w,
                )
            )
        return rows

    def process_usage(self) -> dict[int, ProcessGpuUse]:
        """pid -> GPU memory (compute + graphics contexts) and SM utilization since last call."""
        usage: dict[int, ProcessGpuUse] = {}
        if not self.available:
            return usage
        for index, handle in self.session.handles:
            self._add_memory(usage, index, handle)
            self._add_utilization(usage, index, handle)
        return usage

    def _add_memory(self, usage: dict[int, ProcessGpuUse], index: int, handle: Any) -> None:
        seen: set[int] = set()  # a pid with compute and graphics contexts is listed twice
        for fn in ("nvmlDeviceGetComputeRunningProcesses", "nvmlDeviceGetGraphicsRunningProcesses"):
            for proc in self.session.call(fn, handle, default=[], index=index) or []:
                pid = int(proc.pid)
                entry = usage.setdefault(pid, ProcessGpuUse(pid=pid))
                used = getattr(proc, "usedGpuMemory", None)  # bytes; None under Windows WDDM
                if used is None or pid in seen:
                    continue
                seen.add(pid)
                entry.memory_used_mb = round((entry.memory_used_mb or 0.0) + used / 2**20, 1)

    def _add_utilization(self, usage: dict[int, ProcessGpuUse], index: int, handle: Any) -> None:
        last = self._last_seen.get(index, 0)
        samples = self.session.call(
            "nvmlDeviceGetProcessUtilization", handle, last, default=None, index=index
        )
        if not samples:
            return
        per_pid: dict[int, list[float]] = {}
        newest = last
        for s in samples:
            ts = int(getattr(s, "timeStamp", 0) or 0)
            if ts and ts <= last:
                continue
            newest = max(newest, ts)
            per_pid.setdefault(int(s.pid), []).append(float(s.smUtil))
        self._last_seen[index] = newest
        for pid, values in per_pid.items():
            if pid == 0:
                continue
            entry = usage.setdefault(pid, ProcessGpuUse(pid=pid))
            avg = sum(values) / len(values)
            entry.utilization_percent = round((entry.utilization_percent or 0.0) + avg, 1)

    def close(self) -> None:
        self.session.close()
        self.available = False
