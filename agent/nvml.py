"""Shared NVML access (module ``pynvml`` from nvidia-ml-py): init/shutdown, error classes,
per-device static and current facts. Used by the inventory GPU collector and the sampler.

No NVIDIA driver is the normal case on most PCs: :meth:`NvmlSession.open` then returns
False with ``absent_reason`` set, and nothing raises.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

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
