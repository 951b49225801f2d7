"""The signature bundle as it travels: its manifest, its layout and its archive.

A bundle is a set of files (relative POSIX path -> bytes) plus ``manifest.json``, which names
the bundle's version and date and holds the sha256 of every other file. The collector packs
a bundle as a deterministic tar.gz and signs the archive bytes; the agent unpacks it, checks
every hash against the manifest, then validates the content (agent/bundle/loader.py).

Compatibility rule (as for the report): a new manifest format may add optional fields; it
never removes or renames one. An agent refuses a manifest format it does not know
(``ACCEPTED_MANIFEST_FORMATS``) rather than guess at it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agent.i18n import N_
from agent.wire.checks import check_value

MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
ACCEPTED_MANIFEST_FORMATS = (1,)

# The bundle's lists (paths inside every bundle; agent/bundle/lists.py parses them).
DOMAINS = "pools/domains.txt"
IP_RANGES = "pools/ip_ranges.txt"
PORTS = "pools/ports.txt"
SCHEMES = "pools/schemes.txt"
MINERS = "processes/miners.txt"
BENIGN_HEAVY = "processes/benign_heavy.txt"
SYSTEM_BINARIES = "processes/system_binaries.csv"
TSV_LISTS = (DOMAINS, IP_RANGES, PORTS, SCHEMES, MINERS, BENIGN_HEAVY)
ALL_LISTS = (*TSV_LISTS, SYSTEM_BINARIES)

MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # an archive that unpacks to more is refused
MAX_PATH = 255
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class BundleError(Exception):
    """The bundle cannot be used; ``message`` is an English msgid, ``params`` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


class ArchiveError(ValueError):
    """A bundle archive (tar.gz) that cannot be unpacked safely; the message says why."""


@dataclass
class BundleFiles:
    """The content of one bundle: files by POSIX relative path, plus where it came from."""

    files: dict[str, bytes]
    origin: str  # folder, packed file or archive, for messages

    def text(self, rel: str) -> str:
        return self.files[rel].decode("utf-8")

    def under(self, prefix: str, suffix: str = "") -> dict[str, bytes]:
        return {
            k: v
            for k, v in sorted(self.files.items())
            if k.startswith(prefix) and k.endswith(suffix)
        }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_relative(name: str) -> bool:
    """Is ``name`` a plain relative POSIX path inside the bundle (no ``..``, no root)?"""
    rel = PurePosixPath(name)
    return (
        bool(name)
        and len(name) <= MAX_PATH
        and not rel.is_absolute()
        and ".." not in rel.parts
        and "\\" not in name
        and "\x00" not in name
        and rel.as_posix() == name
    )


class BundleManifest(BaseModel):
    """``manifest.json``: the bundle's version, date and the sha256 of every other file."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    format: int = Field(MANIFEST_FORMAT, description="Manifest format (1)")
    version: str = Field(min_length=1, max_length=64, description="'YYYY.MM.DD.N'")
    date: str = Field("", max_length=32, description="ISO date the bundle was built")
    files: dict[str, str] = Field(description="relative path -> sha256 (lower-case hex)")

    @field_validator("format")
    @classmethod
    def _known_format(cls, value: int) -> int:
        if value not in ACCEPTED_MANIFEST_FORMATS:
            raise ValueError(f"manifest format {value} is not one this agent understands")
        return value

    @field_validator("version", "date")
    @classmethod
    def _text(cls, value: str) -> str:
        return check_value(value)  # no NUL or unpaired surrogate

    @field_validator("files")
    @classmethod
    def _hashes(cls, value: dict[str, str]) -> dict[str, str]:
        for rel, digest in value.items():
            check_value(rel)
            if not safe_relative(rel) or rel == MANIFEST:
                raise ValueError(f"unexpected file name {rel[:80]!r}")
            if not _SHA256_HEX.fullmatch(digest):
                raise ValueError(f"{rel[:80]}: not a sha256 (64 lower-case hex digits)")
        return value

    @classmethod
    def build(
        cls, files: Mapping[str, bytes], version: str, when: date | None = None
    ) -> BundleManifest:
        """The manifest of ``files`` (manifest.json itself excluded)."""
        return cls(
            format=MANIFEST_FORMAT,
            version=version,
            date=(when or date.today()).isoformat(),
            files={rel: sha256(data) for rel, data in sorted(files.items()) if rel != MANIFEST},
        )

    def to_bytes(self) -> bytes:
        """The file as written: indented JSON, fields in declared order, a final newline."""
        return (json.dumps(self.model_dump(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_manifest(
    files: Mapping[str, bytes], version: str, when: date | None = None
) -> BundleManifest:
    """The manifest of ``files`` (manifest.json itself excluded)."""
    return BundleManifest.build(files, version, when)


def manifest_bytes(manifest: BundleManifest) -> bytes:
    return manifest.to_bytes()


def parse_manifest(raw: bytes, origin: str) -> BundleManifest:
    """Parse ``manifest.json`` bytes; raises BundleError saying what is wrong."""
    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(
            N_("{path}: manifest.json is not valid JSON: {error}"), path=origin, error=str(exc)
        ) from exc
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("version"), str)
        or not isinstance(data.get("files"), dict)
    ):
        raise BundleError(
            N_("{path}: manifest.json lacks a version or a list of files"), path=origin
        )
    try:
        return BundleManifest.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "manifest"
        raise BundleError(
            N_("{path}: manifest.json is not valid: {error}"),
            path=origin,
            error=f"{where}: {first.get('msg', '')}"[:300],
        ) from exc


def read_manifest(bundle: BundleFiles) -> BundleManifest:
    """Parse and check the manifest; raises BundleError when missing or malformed."""
    raw = bundle.files.get(MANIFEST)
    if raw is None:
        raise BundleError(N_("{path}: manifest.json is missing"), path=bundle.origin)
    return parse_manifest(raw, bundle.origin)


def verify_manifest(bundle: BundleFiles) -> BundleManifest:
    """Check every file's sha256 against the manifest; raises BundleError on a mismatch,
    a listed file that is missing or a file the manifest does not list."""
    manifest = read_manifest(bundle)
    listed = manifest.files
    for rel, digest in sorted(listed.items()):
        data = bundle.files.get(rel)
        if data is None:
            raise BundleError(
                N_("{path}: {file} is listed in the manifest but missing"),
                path=bundle.origin,
                file=rel,
            )
        if sha256(data) != digest:
            raise BundleError(
                N_("{path}: {file} does not match its sha256 in the manifest"),
                path=bundle.origin,
                file=rel,
            )
    extra = sorted(set(bundle.files) - set(listed) - {MANIFEST})
    if extra:
        raise BundleError(
            N_("{path}: {file} is not listed in the manifest"), path=bundle.origin, file=extra[0]
        )
    return manifest


# --- versions --------------------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...]:
    """'2026.11.23.1' -> (2026, 11, 23, 1); non-numeric parts count as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def next_version(previous: str | None, when: date | None = None) -> str:
    """'YYYY.MM.DD.N': today's date, N one above ``previous`` when that is from today."""
    today = (when or date.today()).strftime("%Y.%m.%d")
    if previous and previous.startswith(today + "."):
        tail = previous[len(today) + 1 :]
        if tail.isdigit():
            return f"{today}.{int(tail) + 1}"
    return f"{today}.1"


# --- archive ---------------------------------------------------------------------------


def deterministic_tar(files: Mapping[str, bytes]) -> bytes:
    """An uncompressed tar of ``files``: sorted names, mtime 0, mode 0644 (same input, same
    bytes, so hashes and signatures are reproducible)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for rel in sorted(files):
            info = tarfile.TarInfo(rel)
            info.size = len(files[rel])
            info.mtime = 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(files[rel]))
    return buf.getvalue()


def pack_archive(files: Mapping[str, bytes]) -> bytes:
    """The archive the collector signs and serves: deterministic tar.gz of ``files``."""
    return gzip.compress(deterministic_tar(files), compresslevel=9, mtime=0)


def unpack_archive(archive: bytes) -> dict[str, bytes]:
    """Files of a bundle tar.gz; refuses links, absolute or ``..`` paths and huge content
    (ArchiveError)."""
    files: dict[str, bytes] = {}
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(archive)) as stream:
            raw = stream.read(MAX_UNPACKED_BYTES + 1)
        if len(raw) > MAX_UNPACKED_BYTES:
            raise ArchiveError("the bundle unpacks to more than 256 MB")
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar.getmembers():
                rel = PurePosixPath(member.name)
                if member.isdir():
                    continue
                if not member.isfile() or rel.is_absolute() or ".." in rel.parts:
                    raise ArchiveError(f"the bundle holds an unexpected entry {member.name!r}")
                extracted = tar.extractfile(member)
                data = extracted.read() if extracted else b""
                files[rel.as_posix()] = data
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise ArchiveError(f"the bundle archive is damaged ({exc})") from exc
    if not files:
        raise ArchiveError("the bundle archive is empty")
    return files
