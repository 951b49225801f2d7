"""Request models of the agent API (the report itself is the agent's own ``Report``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.wire.checks import check_value
from agent.wire.report import DeviceIdentity


class _WireModel(BaseModel):
    """The same wire checks as the report's models: no NUL, bounded numbers, aware times."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _wire_safe(cls, value: Any) -> Any:
        return check_value(value)


class LedgerFields(_WireModel):
    """Ledger fields an agent may send at enrollment; they fill only empty fields."""

    location: str | None = Field(None, max_length=255)
    department: str | None = Field(None, max_length=255)
    responsible_person: str | None = Field(None, max_length=100)
    responsible_phone: str | None = Field(None, max_length=50)
    asset_tag: str | None = Field(None, max_length=100)


class EnrollRequest(_WireModel):
    enrollment_token: str | None = Field(
        None, description="May also be sent as 'Authorization: Bearer <token>'"
    )
    device: DeviceIdentity
    ledger: LedgerFields = Field(default_factory=LedgerFields)
    handcarry_public_key: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9+/]{43}=$",
        description="The agent's Ed25519 hand-carry public key (raw, base64); files signed "
        "with another key are held for review",
    )


def describe_errors(exc: ValidationError, limit: int = 20) -> tuple[str, list[dict]]:
    """A one-line summary and a list of {loc, msg} of a pydantic error, locations dotted."""
    items = []
    for err in exc.errors(include_url=False)[:limit]:
        loc = ".".join(str(p) for p in err.get("loc", ())) or "(body)"
        items.append({"loc": loc, "msg": err.get("msg", ""), "type": err.get("type", "")})
    summary = "; ".join(f"{i['loc']}: {i['msg']}" for i in items)
    more = exc.error_count() - len(items)
    if more > 0:
        summary += f"; and {more} more"
    return summary, items
