"""Agent side of signed signature updates: signature, archive and manifest checks, and the
switch that keeps the bundle in use when anything is wrong."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.bundle.files import read_bundle, read_manifest, version_key
from agent.bundle.loader import builtin_location, load_bundle
from agent.transport.bundle_update import (
    UpdateRefused,
    UpdateResult,
    check_bundle,
    installed_version,
    load_state,
    save_state,
    unpack_archive,
    verify_signature,
)


def _targz(files: dict[str, bytes], extra: list[tarfile.TarInfo] = ()) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info)
    return gzip.compress(raw.getvalue())


@pytest.fixture(scope="module")
def shipped() -> tuple[dict[str, bytes], str]:
    bundle = read_bundle(builtin_location())
    files = {k: v for k, v in bundle.files.items() if k != "manifest.json"}
    return files, read_manifest(bundle).version


def _bundle(files: dict[str, bytes], version: str) -> dict[str, bytes]:
    manifest = {
        "format": 1,
        "version": version,
        "date": "2026-11-23",
        "files": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())},
    }
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def _offer(archive: bytes, key: Ed25519PrivateKey, version: str) -> tuple[dict, str]:
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    info = {
        "version": version,
        "sha256": hashlib.sha256(archive).hexdigest(),
        "signature": base64.b64encode(key.sign(archive)).decode(),
    }
    return info, base64.b64encode(public).decode()


def test_a_signed_valid_bundle_is_installed_and_used(tmp_path, shipped):
    files, version = shipped
    new = f"{version}.7"
    files = dict(files)
    files["pools/domains.txt"] += b"update-test.mining-notice.example\timported\ttest\n"
    archive = _targz(_bundle(files, new))
    key = Ed25519PrivateKey.generate()
    info, public = _offer(archive, key, new)
    assert check_bundle(archive, info, public, tmp_path) == new
    assert installed_version(tmp_path) == new
    loaded = load_bundle(tmp_path)
    assert loaded.version == new and loaded.source == "collector"
    assert loaded.pool_domains.match("update-test.mining-notice.example") is not None


@pytest.mark.parametrize(
    "case",
    [
        "unsigned",
        "wrong_key",
        "hash",
        "manifest",
        "version",
        "rule",
        "traversal",
        "symlink",
        "garbage",
    ],
)
def test_bad_bundles_are_refused_and_the_old_one_kept(tmp_path, shipped, case):
    files, version = shipped
    good = f"{version}.1"
    key = Ed25519PrivateKey.generate()
    archive = _targz(_bundle(files, good))
    check_bundle(archive, *_offer(archive, key, good), tmp_path)

    new = f"{version}.2"
    content = _bundle(files, new)
    extra: list[tarfile.TarInfo] = []
    if case == "manifest":
        content["pools/ports.txt"] += b"4444\tmonero\tattacker\n"
    elif case == "rule":
        content = _bundle({**files, "yara/file/zz.yar": b"rule zz { condition: $x }"}, new)
    elif case == "traversal":
        content["../../evil.txt"] = b"x"
    elif case == "symlink":
        link = tarfile.TarInfo("pools/link.txt")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        extra.append(link)
    archive = _targz(content, extra)
    if case == "garbage":
        archive = archive[: len(archive) // 3]
    info, public = _offer(archive, key, new)
    if case == "unsigned":
        info["signature"] = ""
    elif case == "wrong_key":
        info["signature"] = base64.b64encode(Ed25519PrivateKey.generate().sign(archive)).decode()
    elif case == "hash":
        info["sha256"] = "0" * 64
    elif case == "version":
        info["version"] = f"{version}.3"
    reasons = {
        "unsigned": "not signed",
        "wrong_key": "signature is wrong",
        "hash": "announced sha256",
        "manifest": "does not match its sha256",
        "version": "collector announced",
        "rule": "does not compile",
        "traversal": "unexpected entry",
        "symlink": "unexpected entry",
        "garbage": "damaged",
    }
    with pytest.raises(UpdateRefused, match=reasons[case]):
        check_bundle(archive, info, public, tmp_path)
    assert installed_version(tmp_path) == good
    assert load_bundle(tmp_path).version == good


def test_signature_and_archive_checks_say_why():
    key = Ed25519PrivateKey.generate()
    public = base64.b64encode(
        key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    ).decode()
    data = b"archive bytes"
    verify_signature(data, base64.b64encode(key.sign(data)).decode(), public)
    with pytest.raises(UpdateRefused, match="not signed"):
        verify_signature(data, "", public)
    with pytest.raises(UpdateRefused, match="signature is wrong"):
        verify_signature(data + b"!", base64.b64encode(key.sign(data)).decode(), public)
    with pytest.raises(UpdateRefused, match="damaged"):
        unpack_archive(b"not a gzip file")
    with pytest.raises(UpdateRefused, match="empty"):
        unpack_archive(_targz({}))


def test_update_state_round_trips(tmp_path):
    save_state(tmp_path, UpdateResult("refused", "2026.1.1", "bad signature", 1.0))
    state = load_state(tmp_path)
    assert state == UpdateResult("refused", "2026.1.1", "bad signature", 1.0)
    assert not state.ok and version_key("2026.11.24.1") > version_key("2026.11.23.9")
