"""A bundle's files in memory (relative path -> bytes), read from a folder or from the packed
form. The manifest model and its checks live in agent/wire/bundle.py (the collector builds
bundles with the same code); they are re-exported here.

Packed form (``signatures/packed.bin``): ``MAGIC`` followed by a zlib-compressed tar of the
bundle's files, XOR-ed with a fixed key. This is obfuscation so that other antivirus
products scanning the agent do not see plain miner strings in it; it is NOT security
(bundles reach agents signed over the authenticated channel).
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import tempfile
import zlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from agent.i18n import N_
from agent.wire.bundle import (
    MANIFEST,
    BundleError,
    BundleFiles,
    BundleManifest,
    build_manifest,
    deterministic_tar,
    manifest_bytes,
    next_version,
    read_manifest,
    sha256,
    verify_manifest,
    version_key,
)

__all__ = [
    "BUNDLE_SUFFIXES",
    "MAGIC",
    "MANIFEST",
    "PACKED",
    "BundleError",
    "BundleFiles",
    "BundleManifest",
    "build_manifest",
    "deterministic_tar",
    "manifest_bytes",
    "next_version",
    "pack",
    "read_bundle",
    "read_folder",
    "read_manifest",
    "sha256",
    "unpack",
    "verify_manifest",
    "version_key",
    "write_folder_atomic",
    "write_manifest",
]

PACKED = "packed.bin"
MAGIC = b"MINECHECK-SIGPACK-1\n"
_KEY = hashlib.sha256(b"minecheck signature pack: not a secret, just not plain text").digest()
# Files of the package folder that are not bundle content.
_SKIP_NAMES = {MANIFEST, PACKED, "__init__.py", "README.md"}
_SKIP_DIRS = {"__pycache__"}
BUNDLE_SUFFIXES = (".yar", ".txt", ".csv", ".json")


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


def write_manifest(folder: Path, version: str | None = None) -> tuple[BundleManifest, bool]:
    """(Re)write ``folder``/manifest.json; returns (manifest, changed).

    Without ``version`` the old version is kept when no file changed, else bumped."""
    bundle = read_folder(folder, include_manifest=True)
    old: BundleManifest | None = None
    if MANIFEST in bundle.files:
        try:
            old = read_manifest(bundle)
        except BundleError:
            old = None
    content = {k: v for k, v in bundle.files.items() if k != MANIFEST}
    files = {rel: sha256(data) for rel, data in sorted(content.items())}
    if old is not None and old.files == files and version in (None, old.version):
        return old, False
    if version is None:
        version = next_version(old.version if old else None)
    manifest = build_manifest(content, version)
    (folder / MANIFEST).write_bytes(manifest.to_bytes())
    return manifest, True
