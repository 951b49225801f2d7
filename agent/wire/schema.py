"""Export the report's JSON Schema (docs/report-schema.json)."""

from __future__ import annotations

import json
from pathlib import Path

from agent.wire.report import Report


def report_json_schema() -> dict:
    schema = Report.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:minecheck:report"
    return schema


def render_schema() -> str:
    return json.dumps(report_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_schema(path: Path) -> None:
    path.write_text(render_schema(), encoding="utf-8")


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/report-schema.json")
    write_schema(target)
    print(f"wrote {target}")
