"""Pydantic models of the report the agent builds and the collector validates.

Compatibility rule: a new schema version may add optional fields; it never removes or
renames one. The collector accepts every version listed in ``ACCEPTED_SCHEMA_VERSIONS``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from agent.wire.checks import check_value, declared_max_length, received, tidy

SCHEMA_VERSION = 1
ACCEPTED_SCHEMA_VERSIONS = (1,)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _agent_text(cls, value: Any, info: ValidationInfo) -> Any:
        """Built on the agent: OS text is escaped and clipped, never a reason to fail a scan.
        Received over the wire (``context=WIRE``): left as it came, for the check below."""
        if received(info.context) or info.field_name is None:
            return value
        return tidy(value, declared_max_length(cls, info.field_name))

    @field_validator("*", mode="after")
    @classmethod
    def _wire_safe(cls, value: Any) -> Any:
        """No NUL or lone surrogate, numbers in range, aware times (agent/wire/checks.py)."""
        return check_value(value)


class LocalizedText(_Model):
    """One message in both languages the product speaks."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


# --- agent and bundle -----------------------------------------------------------------


class AgentInfo(_Model):
    version: str
    platform: str = Field(description="sys.platform of the agent: 'linux', 'win32' ...")
    frozen: bool = Field(False, description="Running from the one-file executable")
    privileged: bool = Field(False, description="Running as administrator/root")
    language: str = "zh"
    command: str = Field("scan", description="What produced the report: scan, run, selfcheck")


class SignatureBundleInfo(_Model):
    version: str = "none"
    source: str = Field("builtin", description="builtin, override, collector")
    rules_sha256: str | None = None


# --- identity -------------------------------------------------------------------------


class IdentityParts(_Model):
    """The raw parts a device fingerprint is derived from (junk values already removed)."""

    system_uuid: str | None = None
    board_serial: str | None = None
    system_serial: str | None = None
    macs: list[str] = Field(default_factory=list, description="Physical MACs, sorted, lower-case")


class DeviceIdentity(_Model):
    fingerprint: str = Field(
        min_length=1,
        max_length=128,
        description="sha256 over the identity parts; stable across re-imaging",
    )
    parts: IdentityParts = Field(default_factory=IdentityParts)
    machine_id: str | None = Field(
        None, max_length=64, description="Linux /etc/machine-id (changes on re-install)"
    )
    machine_guid: str | None = Field(
        None, max_length=64, description="Windows MachineGuid (changes on re-install)"
    )
    hostname: str = Field(max_length=255)
    manufacturer: str | None = Field(None, max_length=200)
    product: str | None = Field(None, max_length=200)


# --- hardware -------------------------------------------------------------------------


class OSInfo(_Model):
    name: str
    version: str | None = None
    build: str | None = None
    architecture: str | None = None
    hostname: str
    domain: str | None = Field(None, description="Windows domain or workgroup, Linux DNS domain")
    boot_time: datetime | None = None
    users: list[str] = Field(default_factory=list, description="Users logged in now")
    is_server: bool = False


class CPUInfo(_Model):
    brand: str | None = None
    vendor: str | None = None
    architecture: str | None = None
    physical_cores: int | None = None
    logical_cores: int | None = None
    base_mhz: float | None = None
    max_mhz: float | None = None
    flags: dict[str, bool] = Field(
        default_factory=dict, description="Key flags miners care about: aes, avx2, avx512f ..."
    )


class GPUInfo(_Model):
    vendor: str = Field(description="nvidia, amd, intel or other")
    name: str
    source: str = Field(description="nvml, wmi, sysfs ...")
    uuid: str | None = None
    pci_bus_id: str | None = None
    pci_id: str | None = Field(None, description="vendor:device, e.g. 10de:2204")
    memory_total_mb: float | None = None
    driver_version: str | None = None
    cuda_version: str | None = None
    power_limit_w: float | None = None
    utilization_percent: float | None = None
    memory_used_mb: float | None = None
    power_w: float | None = None
    temperature_c: float | None = None
    discrete: bool | None = None


MAX_MEMORY_MB = 2**31 - 1  # the ledger's memory column (a 32-bit integer on PostgreSQL)


class MemoryInfo(_Model):
    total_mb: float = Field(ge=0, le=MAX_MEMORY_MB)
    available_mb: float | None = Field(None, ge=0, le=MAX_MEMORY_MB)
    swap_total_mb: float | None = Field(None, ge=0, le=MAX_MEMORY_MB)


class DiskInfo(_Model):
    device: str
    model: str | None = None
    serial: str | None = None
    size_gb: float | None = None
    mountpoint: str | None = None
    fstype: str | None = None
    used_percent: float | None = None
    rotational: bool | None = None


class NICInfo(_Model):
    name: str
    mac: str | None = None
    ipv4: list[str] = Field(default_factory=list)
    ipv6: list[str] = Field(default_factory=list)
    up: bool = False
    speed_mbps: int | None = None
    physical: bool | None = None


class HighPerformance(_Model):
    is_high_performance: bool = False
    reasons: list[LocalizedText] = Field(default_factory=list)
    category: str | None = Field(None, description="gpu_workstation, server, many_core")


class Hardware(_Model):
    os: OSInfo | None = None
    cpu: CPUInfo | None = None
    gpus: list[GPUInfo] = Field(default_factory=list)
    memory: MemoryInfo | None = None
    disks: list[DiskInfo] = Field(default_factory=list)
    nics: list[NICInfo] = Field(default_factory=list)
    high_performance: HighPerformance = Field(default_factory=HighPerformance)


# --- utilization ----------------------------------------------------------------------


class Stat(_Model):
    avg: float
    p95: float
    max: float


class GPUUtilization(_Model):
    index: int
    uuid: str | None = None
    name: str | None = None
    utilization: Stat | None = None
    memory_used_mb: Stat | None = None
    power_w: Stat | None = None
    utilization_series: list[float] = Field(
        default_factory=list, description="Utilization % per sample (see series_interval_seconds)"
    )


class ProcessUsage(_Model):
    pid: int
    name: str | None = None
    exe: str | None = None
    user: str | None = None
    cmdline: str | None = None
    cpu_seconds: float = Field(0.0, description="CPU-seconds integrated over the window")
    cpu_percent: float = Field(0.0, description="Average share of one core over the window")
    gpu_memory_mb: float | None = None
    gpu_utilization_percent: float | None = None
    started_in_window: bool | None = Field(None, description="Started during the window")
    exited: bool | None = Field(None, description="Exited before the window ended")


class Utilization(_Model):
    window_seconds: float
    samples: int
    cpu: Stat | None = None
    logical_cores: int | None = None
    gpus: list[GPUUtilization] = Field(default_factory=list)
    top_processes: list[ProcessUsage] = Field(default_factory=list)
    user_idle_seconds: float | None = Field(
        None, description="Time since last keyboard/mouse input"
    )
    invisible_cpu_percent: float | None = Field(
        None,
        description="System CPU time not accounted for by visible processes (cross-view check)",
    )
    invisible_cpu_seconds: float | None = Field(
        None,
        description="Cross-view check in CPU-seconds: busy CPU time of the whole system minus "
        "the time of every visible process over the window (invisible_cpu_percent is this "
        "divided by the window, i.e. a share of one core)",
    )
    processes_seen: int | None = Field(None, description="Processes seen during the window")
    series_interval_seconds: float | None = Field(
        None, description="Seconds between two points of cpu_series / utilization_series"
    )
    cpu_series: list[float] = Field(
        default_factory=list, description="Whole-system CPU busy % (all cores = 100) per sample"
    )


# --- findings and verdict -------------------------------------------------------------


class VerdictStatus(str, Enum):
    clean = "clean"
    suspicious = "suspicious"
    mining = "mining"
    incomplete = "incomplete"  # detection did not fully run: never read as clean


class MiningMode(str, Enum):
    active = "active"  # positive evidence that a person started it
    passive = "passive"  # signs of malware: hiding, persistence, service account
    undetermined = "undetermined"  # neither proven


class Strength(str, Enum):
    """How much a finding weighs in the verdict (DESIGN.md detection model)."""

    strong = "strong"  # alone enough for `mining`
    weak = "weak"  # alone enough for `suspicious`
    info = "info"  # context only


class Subject(_Model):
    """What a finding is about; only the fields that apply are set."""

    pid: int | None = None
    process_name: str | None = None
    exe: str | None = None
    sha256: str | None = None
    cmdline: str | None = None
    user: str | None = None
    file: str | None = None
    remote: str | None = Field(None, description="Remote address:port of a connection")
    domain: str | None = None
    registry_key: str | None = None
    persistence: str | None = Field(None, description="Task, service, unit or crontab line")


class Finding(_Model):
    kind: str = Field(description="Stable machine name, e.g. yara_memory, pool_connection")
    strength: Strength
    weight: float = Field(1.0, ge=0)
    passive_hint: bool | None = Field(
        None, description="True: points to malware (passive); False: to a user-started miner"
    )
    title: LocalizedText
    detail: LocalizedText | None = None
    action: LocalizedText = Field(description="What a person should do about it")
    subject: Subject = Field(default_factory=Subject)
    rule: str | None = Field(None, description="Rule or signature that matched")
    signature_version: str | None = None
    evidence: list[str] = Field(default_factory=list, description="Matched strings, lines ...")


class Incident(_Model):
    """The evidence about one miner grouped together: process tree, config, connection, memory."""

    id: str = Field(description="Stable within the report, e.g. 'i1'")
    strength: Strength
    title: LocalizedText
    mode: MiningMode | None = None
    mode_reason: LocalizedText | None = None
    root_pid: int | None = Field(None, description="The process tree's top process")
    pids: list[int] = Field(default_factory=list)
    exe: str | None = Field(None, description="The miner's own executable")
    files: list[str] = Field(default_factory=list, description="Its config and script files")
    remotes: list[str] = Field(default_factory=list, description="Pool addresses it talks to")
    findings: list[int] = Field(
        default_factory=list, description="Indices into Report.findings of its evidence"
    )
    action: LocalizedText = Field(description="What a person should do about this miner")


class Verdict(_Model):
    status: VerdictStatus = VerdictStatus.clean
    mode: MiningMode | None = None
    mode_reason: LocalizedText | None = Field(
        None, description="Why the mining is active, passive or undetermined"
    )
    reasons: list[LocalizedText] = Field(default_factory=list)
    incomplete: list[LocalizedText] = Field(
        default_factory=list,
        description="Checks that failed or timed out; non-empty means the verdict is never clean",
    )


class CollectorError(_Model):
    collector: str
    kind: str = Field("error", description="permission, unavailable, timeout, error")
    message: LocalizedText
    detail: str | None = Field(None, description="Technical detail (exception text)")


# --- the report -----------------------------------------------------------------------


class Report(_Model):
    schema_version: int = SCHEMA_VERSION
    report_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    agent: AgentInfo
    signatures: SignatureBundleInfo = Field(default_factory=SignatureBundleInfo)
    device: DeviceIdentity
    hardware: Hardware = Field(default_factory=Hardware)
    utilization: Utilization | None = None
    background_utilization: Utilization | None = Field(
        None,
        description="Scheduled mode: light sampling between the previous scan and this one, so "
        "a miner that pauses while someone watches is still seen",
    )
    findings: list[Finding] = Field(default_factory=list)
    incidents: list[Incident] = Field(
        default_factory=list, description="Findings grouped per miner (one miner = one incident)"
    )
    verdict: Verdict = Field(default_factory=Verdict)
    errors: list[CollectorError] = Field(default_factory=list)
    limitations: list[LocalizedText] = Field(
        default_factory=list, description="What could not be checked (e.g. without admin rights)"
    )
    dropped_reports: int = Field(0, ge=0, description="Reports the agent's spool had to drop")
    trimmed: list[str] = Field(default_factory=list, description="Parts removed to fit the size")
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v not in ACCEPTED_SCHEMA_VERSIONS:
            raise ValueError(
                f"unsupported schema_version {v}; accepted: {list(ACCEPTED_SCHEMA_VERSIONS)}"
            )
        return v
