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
