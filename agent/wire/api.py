"""Answer messages of the agent API, as the collector sends them (pydantic models, versioned).

The collector builds its JSON answers with these models and generates its OpenAPI document
from them (collector_server/routes.py); the agent's tests' fake collector answers with them
too. Times are sent as ISO 8601 strings exactly as the collector writes them (Python's
``isoformat()``, e.g. ``2026-01-05T08:00:00.123456+00:00``), so they are ``str`` here.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

API_VERSION = 1  # the agent API below /api/v1/; bump with the path on a breaking change

DATE_TIME = {"format": "date-time"}


class _Answer(BaseModel):
    """An answer: every field the collector sends is described (extra ones are refused)."""

    model_config = ConfigDict(extra="forbid")

    def json_body(self) -> dict:
        """The JSON object to send."""
        return self.model_dump(mode="json")


class ErrorItem(_Answer):
    loc: str = Field(description="dotted location in the body, '(body)' for the whole body")
    msg: str
    type: str = ""


class Error(_Answer):
    """Every error answer under /api/ (400, 401, 404, 405, 409, 413, 415, 422, 429, 500, 503)
    is this JSON object, never an HTML page."""

    error: str = Field(description="machine-readable code")
    detail: str = Field(description="what is wrong, in words")
    errors: list[ErrorItem] | None = Field(
        None, description="validation errors with dotted locations (422 only)"
    )
    max_bytes: int | None = Field(None, description="the body limit (400/413 on bodies)")

    def json_body(self) -> dict:
        """The JSON object to send (the optional fields only when set)."""
        return self.model_dump(mode="json", exclude_none=True)


class AgentConfig(_Answer):
    """Settings the bureau pushes to the agent (the nearest organisation that sets each)."""

    scan_interval_minutes: int
    sample_seconds: int
    deep_scan: bool
    max_report_bytes: int
    accepted_schema_versions: list[int]
    server_time: str = Field(json_schema_extra=DATE_TIME)
    signing_public_key: str = Field(
        description="Ed25519 public key (raw, base64) that signs the signature bundles"
    )
    report_phone: str = Field(
        default="",
        max_length=50,
        description="phone for reporting mining (举报电话), set by the regulator; '' if none",
    )
    report_address: str = Field(
        default="",
        max_length=200,
        description="address for reporting mining (举报地址), set by the regulator; '' if none",
    )


class OrganisationRef(_Answer):
    id: int
    name: str
    kind: str


class KeptLedgerField(_Answer):
    """A ledger field of a known device that already had a value (set by a person in the
    ledger, or by an earlier enrollment): the value sent at this enrollment was not used."""

    field: str = Field(description="location, department, responsible_person, ...")
    kept: str = Field(description="the value in the ledger, which stays")
    sent: str = Field(description="the value this enrollment sent, not used")


class EnrollAnswer(_Answer):
    """201 for a new device, 200 for a known one enrolled again."""

    device_id: int
    device_token: str = Field(description="returned once; keep it secret")
    created: bool = Field(description="false: the device was already in the ledger")
    ledger_kept: list[KeptLedgerField] = Field(
        default_factory=list,
        description="ledger fields sent that were not used: the entry already had a value",
    )
    ledger_filled: list[str] = Field(
        default_factory=list, description="ledger fields this enrollment filled in"
    )
    organisation: OrganisationRef
    config: AgentConfig
    signing_public_key: str = Field(
        description="Ed25519 public key (raw, base64) that signs the signature bundles"
    )


class UploadAnswer(_Answer):
    """201 for a stored report; a repeated report_id gets this same answer again (with the
    header X-Minecheck-Duplicate: 1)."""

    status: Literal["accepted"] = "accepted"
    report_id: UUID
    device_id: int
    verdict: str
    findings: int = Field(ge=0, description="how many findings the report carried")


class DeviceSummary(_Answer):
    id: int
    hostname: str
    organisation_id: int
    organisation: str = Field(description="the organisation's name")
    location: str
    department: str
    responsible_person: str
    asset_tag: str
    public_ip: str | None
    high_performance: bool
    last_verdict: str
    last_seen: str | None = Field(json_schema_extra=DATE_TIME)


class Page(_Answer):
    """Paging of a list: how many rows match, where this page starts."""

    count: int = Field(ge=0)
    offset: int = Field(ge=0)


class DeviceList(Page):
    results: list[DeviceSummary]


class OrganisationName(_Answer):
    id: int
    name: str


class Device(_Answer):
    """One device with its ledger fields and latest hardware."""

    id: int
    fingerprint: str
    hostname: str
    organisation: OrganisationName
    location: str
    department: str
    responsible_person: str
    responsible_phone: str
    asset_tag: str
    status: str
    ip_addresses: list
    macs: list
    public_ip: str | None
    high_performance: bool
    high_performance_reason: str
    cpu_model: str
    gpu_models: str = Field(description="the GPUs' names, as the ledger shows them")
    memory_mb: int | None
    last_verdict: str
    last_mode: str
    first_seen: str | None = Field(json_schema_extra=DATE_TIME)
    last_seen: str | None = Field(json_schema_extra=DATE_TIME)
    hardware: dict | None


class BundleInfo(_Answer):
    """The newest signed signature bundle (the manifest answer of /signatures/latest)."""

    version: str
    sha256: str
    size: int
    signature: str = Field(description="Ed25519 signature over the archive, base64")
    created_at: str = Field(json_schema_extra=DATE_TIME)
    url: str = Field(description="where to download the archive")


ANSWERS: tuple[type[_Answer], ...] = (
    Error,
    AgentConfig,
    EnrollAnswer,
    UploadAnswer,
    DeviceList,
    Device,
    BundleInfo,
)
