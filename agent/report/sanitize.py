"""The one way a string from the operating system enters a report: :func:`printable`.

Process names, paths, command lines, registry values, users, host names and memory excerpts
are chosen by whoever runs software on the machine. They may hold bytes that are not UTF-8
(Python hands them over as surrogate escapes), NUL and other control characters, or
right-to-left overrides that make a name read differently. ``printable`` keeps every bit of
the information as visible escapes (``\\xff``, ``\\x00``, ``\\u202e``) and never fails, so the
report always serialises to JSON and no terminal or browser is fooled by what it shows.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

from pydantic import BaseModel

from agent.wire.checks import declared_max_length, tidy

T = TypeVar("T")

# Unicode format characters that reorder or hide text (bidi embeddings, overrides, isolates,
# marks, zero-width joiners) and the byte-order mark: shown as escapes, never applied.
_INVISIBLE = frozenset(
    [
        *(0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0xFEFF),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
    ]
)


def _escape(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return f"\\x{code:02x}"
    if 0xD800 <= code <= 0xDFFF or code in _INVISIBLE:  # lone surrogate, bidi control
        return f"\\u{code:04x}"
    return ch


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF or code in _INVISIBLE


def printable(value: object, keep_newlines: bool = False) -> str:
    """``value`` as text safe to store, print and serialise; bytes are read as UTF-8.

    Undecodable bytes become ``\\xNN``, control characters ``\\xNN`` (tab and newline too,
    unless ``keep_newlines``), surrogates and bidi controls ``\\uNNNN``. Never raises."""
    try:
        if value is None:
            return ""
        if isinstance(value, (bytes, bytearray, memoryview)):
            text = bytes(value).decode("utf-8", "surrogateescape")
        elif isinstance(value, str):
            text = value
        elif isinstance(value, os.PathLike):
            text = os.fsdecode(value)
        else:
            text = str(value)
        if not any(_needs_escape(ch) for ch in text):
            return text
        keep = "\n\t" if keep_newlines else ""
        return "".join(ch if ch in keep else _escape(ch) for ch in text)
    except Exception:  # noqa: BLE001 - the sanitiser must never be what fails a scan
        return repr(value)


def printable_or_none(value: object) -> str | None:
    """Like :func:`printable`, but None stays None."""
    return None if value is None else printable(value)


def is_undecodable(value: str | bytes | None) -> bool:
    """True when an OS string held bytes that are not valid text (or hiding characters)."""
    if not value:
        return False
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return True
    return any(_needs_escape(ch) for ch in value)


def scrub(obj: T) -> T:
    """Pass every string inside a model (or list/dict) through :func:`printable`, in place
    for models; the last guard before a report is serialised."""
    return _scrub(obj, 0)


def _scrub(obj: Any, depth: int) -> Any:
    if depth > 64:
        return obj
    if isinstance(obj, str):
        return printable(obj, keep_newlines=True)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name, None)
            cleaned = _scrub(value, depth + 1)
            if isinstance(cleaned, str):
                cleaned = tidy(cleaned, declared_max_length(type(obj), name))
            if cleaned is not value:
                object.__setattr__(obj, name, cleaned)
        return obj
    if isinstance(obj, list):
        return [_scrub(v, depth + 1) for v in obj]
    if isinstance(obj, dict):
        return {_scrub(k, depth + 1): _scrub(v, depth + 1) for k, v in obj.items()}
    return obj
