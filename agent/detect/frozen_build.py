"""Is a program file a one-file minecheck build? Reads its PyInstaller archive (CArchive table
of contents and the PYZ module table) with struct and byte search only: no unmarshalling of
data a stranger's program may hold."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

COOKIE_MAGIC = b"MEI\x0c\x0b\x0a\x0b\x0e"
_COOKIE = struct.Struct("!8sIIII64s")  # magic, archive length, toc offset, toc length, pyver, lib
_ENTRY = struct.Struct("!IIIIBc")  # entry length, offset, length, full length, compressed, type
_PYZ_MAGIC = b"PYZ\0"
_TAIL = 64 * 1024  # the cookie lies at the end of the archive, which ends the file
_MAX_TOC = 8 * 2**20
# Modules only the agent has: a PYZ whose module table lacks one of these is not minecheck.
AGENT_MODULES = (b"agent.detect.engine", b"agent.bundle.loader", b"agent.detect.scan_memory")
SIGNATURES_PREFIX = "signatures/"


@dataclass(frozen=True)
class TocEntry:
    name: str
    typecode: str
    offset: int  # from the archive start
    length: int


def archive_entries(path: str) -> tuple[int, list[TocEntry]] | None:
    """(archive start offset, entries) of the PyInstaller archive ending ``path``, or None."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - _TAIL))
            tail = fh.read(_TAIL)
            at = tail.rfind(COOKIE_MAGIC)
            if at < 0 or len(tail) - at < _COOKIE.size:
                return None
            _magic, length, toc_offset, toc_length, _py, _lib = _COOKIE.unpack_from(tail, at)
            start = size - len(tail) + at + _COOKIE.size - length
            if start < 0 or toc_length > _MAX_TOC:
                return None
            fh.seek(start + toc_offset)
            return start, _parse_toc(fh.read(toc_length))
    except (OSError, struct.error, ValueError):
        return None


def _parse_toc(data: bytes) -> list[TocEntry]:
    entries: list[TocEntry] = []
    pos = 0
    while pos + _ENTRY.size <= len(data):
        entry_len, offset, length, _full, _flag, code = _ENTRY.unpack_from(data, pos)
        if entry_len < _ENTRY.size:
            break
        raw = data[pos + _ENTRY.size : pos + entry_len]
        name = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
        entries.append(TocEntry(name, code.decode("latin-1"), offset, length))
        pos += entry_len
    return entries


def _pyz_module_table(path: str, start: int, entry: TocEntry) -> bytes:
    try:
        with open(path, "rb") as fh:
            fh.seek(start + entry.offset)
            header = fh.read(12)
            if len(header) < 12 or not header.startswith(_PYZ_MAGIC):
                return b""
            (toc_offset,) = struct.unpack_from("!i", header, 8)
            if not 12 <= toc_offset < entry.length:
                return b""
            fh.seek(start + entry.offset + toc_offset)
            return fh.read(min(entry.length - toc_offset, _MAX_TOC))
    except (OSError, struct.error, ValueError):
        return b""


def is_minecheck_build(path: str) -> bool:
    """True when ``path`` carries a PyInstaller archive holding the agent's modules (in a PYZ)
    and the signature bundle (``signatures/...`` data)."""
    found = archive_entries(path)
    if found is None:
        return False
    start, entries = found
    if not any(e.name.startswith(SIGNATURES_PREFIX) for e in entries):
        return False
    for entry in entries:
        if entry.typecode == "z":
            table = _pyz_module_table(path, start, entry)
            if all(name in table for name in AGENT_MODULES):
                return True
    return False
