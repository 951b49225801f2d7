"""A bundle's files in memory (relative path -> bytes), read from a folder or from the packed
form, and its manifest (version, date, sha256 of every file).

Packed form (``signatures/packed.bin``): ``MAGIC`` followed by a zlib-compressed tar of the
bundle's files, XOR-ed with a fixed key. This is obfuscation so that other antivirus
products scanning the agent do not see plain miner strings in it; it is NOT security
(bundles reach agents signed over the authenticated channel).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import tempfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from agent.i18n import N_

MANIFEST = "manifest.json"
PACKED = "packed.bin"
MAGIC = b"MINECHECK-SIGPACK-1\n"
_KEY = hashlib.sha256(b"minecheck signature pack: not a secret, just not plain text").digest()
# Files of the package folder that are not bundle content.
_SKIP_NAMES = {MANIFEST, PACKED, "__init__.py", "README.md"}
_SKIP_DIRS = {"__pycache__"}
BUNDLE_SUFFIXES = (".yar", ".txt", ".csv", ".json")


class BundleError(Exception):
    """The bundle cannot be used; ``message`` is an English msgid, ``params`` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params


@dataclass
class BundleFiles:
    """The content of one bundle: files by POSIX relative path, plus where it came from."""

    files: dict[str, bytes]
    origin: str  # folder or packed file path, for messages

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


def _is_content(rel: PurePosixPath) -> bool:
    if rel.name in _SKIP_NAMES or any(p in _SKIP_DIRS or p.startswith(".") for p in rel.parts):
        return False
    return rel.suffix in BUNDLE_SUFFIXES


def read_folder(folder: Path, include_manifest: bool = True) -> BundleFiles:
    """All bundle files below ``folder`` (rules, lists, manifest)."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        rel = PurePosixPath(path.relative_to(folder).as_posix())
        if _is_content(rel) or (include_manifest and rel.as_posix() == MANIFEST):
            files[rel.as_posix()] = path.read_bytes()
    return BundleFiles(files, str(folder))


def _xor(data: bytes) -> bytes:
    key = (_KEY * (len(data) // len(_KEY) + 1))[: len(data)]
    return (int.from_bytes(data, "little") ^ int.from_bytes(key, "little")).to_bytes(
        len(data), "little"
    )


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


def pack(files: Mapping[str, bytes]) -> bytes:
    """The packed form of ``files`` (deterministic)."""
    return MAGIC + _xor(zlib.compress(deterministic_tar(files), 9))


def unpack(blob: bytes, origin: str = PACKED) -> BundleFiles:
    """Inverse of :func:`pack`; raises BundleError on anything malformed."""
    if not blob.startswith(MAGIC):
        raise BundleError(N_("{path} is not a packed signature bundle"), path=origin)
    try:
        raw = zlib.decompress(_xor(blob[len(MAGIC) :]))
        files: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            for member in tar.getmembers():
                rel = PurePosixPath(member.name)
                if not member.isfile() or rel.is_absolute() or ".." in rel.parts:
                    raise BundleError(N_("{path} holds an unexpected entry"), path=origin)
                extracted = tar.extractfile(member)
                files[rel.as_posix()] = extracted.read() if extracted else b""
    except (zlib.error, tarfile.TarError, EOFError) as exc:
        raise BundleError(N_("{path} is damaged: {error}"), path=origin, error=str(exc)) from exc
    return BundleFiles(files, origin)


def read_bundle(location: Path) -> BundleFiles:
    """Read a bundle folder, or a packed file (a path to it, or a folder holding only it)."""
    if location.is_file():
        return unpack(location.read_bytes(), str(location))
    if not (location / MANIFEST).is_file() and (location / PACKED).is_file():
        return unpack((location / PACKED).read_bytes(), str(location / PACKED))
    if not location.is_dir():
        raise BundleError(N_("signature bundle not found: {path}"), path=str(location))
    return read_folder(location)


# --- manifest ------------------------------------------------------------------------------


def build_manifest(files: Mapping[str, bytes], version: str, when: date | None = None) -> dict:
    """The manifest of ``files`` (manifest.json itself excluded)."""
    return {
        "format": 1,
        "version": version,
        "date": (when or date.today()).isoformat(),
        "files": {rel: sha256(data) for rel, data in sorted(files.items()) if rel != MANIFEST},
    }


def manifest_bytes(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_manifest(bundle: BundleFiles) -> dict:
    """Parse and check the manifest; raises BundleError when missing or malformed."""
    raw = bundle.files.get(MANIFEST)
    if raw is None:
        raise BundleError(N_("{path}: manifest.json is missing"), path=bundle.origin)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            N_("{path}: manifest.json is not valid JSON: {error}"),
            path=bundle.origin,
            error=str(exc),
        ) from exc
    if (
        not isinstance(manifest, dict)
        or not isinstance(manifest.get("version"), str)
        or not isinstance(manifest.get("files"), dict)
    ):
        raise BundleError(
            N_("{path}: manifest.json lacks a version or a list of files"), path=bundle.origin
        )
    return manifest


def verify_manifest(bundle: BundleFiles) -> dict:
    """Check every file's sha256 against the manifest; raises BundleError on a mismatch."""
    manifest = read_manifest(bundle)
    listed: dict[str, str] = manifest["files"]
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


def version_key(version: str) -> tuple[int, ...]:
    """'2026.11.23.1' -> (2026, 11, 23, 1); non-numeric parts count as 0."""
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def write_folder_atomic(files: Mapping[str, bytes], target: Path) -> None:
    """Write ``files`` into a fresh folder and swap it in place of ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    for rel, data in files.items():
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    old = None
    if target.exists():
        old = target.parent / f".{target.name}-old-{os.getpid()}"
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        import shutil

        shutil.rmtree(old, ignore_errors=True)


def next_version(previous: str | None, when: date | None = None) -> str:
    """'YYYY.MM.DD.N': today's date, N one above ``previous`` when that is from today."""
    today = (when or date.today()).strftime("%Y.%m.%d")
    if previous and previous.startswith(today + "."):
        tail = previous[len(today) + 1 :]
        if tail.isdigit():
            return f"{today}.{int(tail) + 1}"
    return f"{today}.1"


def write_manifest(folder: Path, version: str | None = None) -> tuple[dict, bool]:
    """(Re)write ``folder``/manifest.json; returns (manifest, changed).

    Without ``version`` the old version is kept when no file changed, else bumped."""
    bundle = read_folder(folder, include_manifest=True)
    old: dict | None = None
    if MANIFEST in bundle.files:
        try:
            old = read_manifest(bundle)
        except BundleError:
            old = None
    content = {k: v for k, v in bundle.files.items() if k != MANIFEST}
    files = {rel: sha256(data) for rel, data in sorted(content.items())}
    if old is not None and old.get("files") == files and version in (None, old["version"]):
        return old, False
    if version is None:
        version = next_version(old["version"] if old else None)
    manifest = build_manifest(content, version)
    (folder / MANIFEST).write_bytes(manifest_bytes(manifest))
    return manifest, True
