"""The exported JSON Schema must match the report model; reports must round-trip."""

from __future__ import annotations

import json

import jsonschema
import pytest
from pydantic import ValidationError

from agent.wire.report import DeviceIdentity, Report
from agent.wire.schema import render_schema


def test_exported_schema_is_current(repo_root):
    on_disk = (repo_root / "docs" / "report-schema.json").read_text(encoding="utf-8")
    assert on_disk == render_schema(), "docs/report-schema.json is stale: run `make schema`"


def _minimal() -> Report:
    return Report(
        agent={"version": "0.0.0", "platform": "linux"},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="pc-01"),
    )


def test_report_round_trips_and_validates_against_schema(repo_root):
    report = _minimal()
    data = json.loads(report.model_dump_json())
    schema = json.loads((repo_root / "docs" / "report-schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert Report.model_validate(data) == report


def test_unknown_schema_version_is_rejected_with_a_clear_message():
    data = json.loads(_minimal().model_dump_json())
    data["schema_version"] = 99
    with pytest.raises(ValidationError, match="unsupported schema_version 99"):
        Report.model_validate(data)
