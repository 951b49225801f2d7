"""Checks every wire value passes: text the databases can store, numbers in range, aware times.

The agent escapes bad bytes before it builds a report, so on the wire a NUL or a lone
surrogate is simply invalid. Numbers must fit a 64-bit column; times must carry a UTC
offset and lie within years the databases and ``datetime`` arithmetic can hold.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

MAX_TEXT = 65_536  # longest single string (a Windows command line is at most 32 767)
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_FLOAT = 1e15  # far above any size, rate or count a PC reports; NaN and inf refused
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2200, 1, 1, tzinfo=timezone.utc)
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


# Validation context of a value received over the wire (the collector): refuse, never repair.
WIRE = {"wire": True}


def received(context: Any) -> bool:
    """Is this validation of data received over the wire (see :data:`WIRE`)?"""
    return isinstance(context, dict) and bool(context.get("wire"))


def tidy(value: Any, max_length: int | None = None) -> Any:
    """What the agent builds from OS text: NUL and lone surrogates escaped (see
    agent/report/sanitize.py), strings clipped to ``max_length``; walks lists and dicts."""
    if isinstance(value, str):
        if _BAD_TEXT.search(value):
            from agent.report.sanitize import printable

            value = printable(value, keep_newlines=True)
        limit = min(max_length or MAX_TEXT, MAX_TEXT)
        return value if len(value) <= limit else value[:limit]
    if isinstance(value, list):
        return [tidy(v) for v in value]
    if isinstance(value, dict):
        return {tidy(k): tidy(v) for k, v in value.items()}
    return value


def declared_max_length(model: Any, name: str) -> int | None:
    """The ``max_length`` a pydantic model's field declares, if any."""
    field = model.model_fields.get(name)
    for rule in field.metadata if field is not None else ():
        limit = getattr(rule, "max_length", None)
        if limit is not None:
            return int(limit)
    return None


def check_value(value: Any) -> Any:
    """``value`` unchanged, or ValueError naming what is wrong; walks lists and dicts."""
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, bool):
        pass
    elif isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("integer out of the 64-bit range")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("number must be finite (no NaN or infinity)")
        if abs(value) > MAX_FLOAT:
            raise ValueError(f"number out of range (|x| <= {MAX_FLOAT:g})")
    elif isinstance(value, datetime):
        _check_time(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_value(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(key)
            check_value(item)
    return value


def _check_text(value: str) -> None:
    if len(value) > MAX_TEXT:
        raise ValueError(f"text longer than {MAX_TEXT} characters")
    bad = _BAD_TEXT.search(value)
    if bad:
        what = "NUL character" if bad.group() == "\x00" else "unpaired surrogate"
        raise ValueError(f"text contains a {what} at position {bad.start()}")


def _check_time(value: datetime) -> None:
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("datetime must carry a timezone (e.g. 2026-01-01T08:00:00+08:00)")
    if abs(offset) >= timedelta(hours=24):  # pragma: no cover - datetime refuses it already
        raise ValueError("timezone offset out of range")
    if not EARLIEST <= value <= LATEST:
        raise ValueError(f"datetime out of range ({EARLIEST:%Y}..{LATEST:%Y})")
