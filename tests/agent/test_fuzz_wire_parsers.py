"""Property tests on the wire parsers of files that travel outside the authenticated API:
the signature bundle (manifest, archive, packed form) and the hand-carry file.

Any input gives a clear refusal (BundleError / ArchiveError / HandcarryError with a message)
or a result; never another exception, and never the acceptance of a changed file.
CI runs a few examples each; `make fuzz` runs many (MINECHECK_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.bundle.files import pack, unpack
from agent.wire import bundle as B
from agent.wire import handcarry as H

EXAMPLES = int(os.environ.get("MINECHECK_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# --- bundle ------------------------------------------------------------------------------

FILES = {
    "pools/domains.txt": b"pool.example.org\tfamily=xmrig\n",
    "pools/ports.txt": b"3333\n",
    "yara/file/a.yar": b'rule a { strings: $a = "x" condition: $a }\n',
}
MANIFEST = B.build_manifest(FILES, "2026.11.23.1").to_bytes()
BUNDLE = {**FILES, B.MANIFEST: MANIFEST}
ARCHIVE = B.pack_archive(BUNDLE)

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False),
        st.text(max_size=70),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=70), inner, max_size=4)
    ),
    max_leaves=12,
)
manifest_like = st.fixed_dictionaries(
    {
        "version": st.one_of(st.text(max_size=70), json_values),
        "files": st.one_of(
            st.dictionaries(
                st.text(max_size=70),
                st.one_of(
                    st.text(alphabet="0123456789abcdefABCDEF", min_size=60, max_size=66),
                    json_values,
                ),
                max_size=4,
            ),
            json_values,
        ),
    },
    optional={
        "format": st.one_of(st.integers(-2, 4), json_values),
        "date": st.one_of(st.text(max_size=40), json_values),
    },
)


def _parse(raw: bytes) -> B.BundleManifest | None:
    try:
        return B.parse_manifest(raw, "fuzz")
    except B.BundleError as exc:
        assert str(exc).startswith("fuzz: manifest.json")
        return None


@FUZZ
@given(st.one_of(st.binary(max_size=600), manifest_like.map(lambda d: json.dumps(d).encode())))
def test_manifest_parses_or_refuses(raw):
    manifest = _parse(raw)
    if manifest is not None:  # what is accepted is well-formed and writes back the same
        assert manifest.format in B.ACCEPTED_MANIFEST_FORMATS and manifest.version
        assert all(B.safe_relative(rel) and len(d) == 64 for rel, d in manifest.files.items())
        assert B.parse_manifest(manifest.to_bytes(), "again") == manifest


def _mutate(data: bytes, position: int, byte: int, kind: str) -> bytes:
    i = position % (len(data) + 1)
    if kind == "insert":
        return data[:i] + bytes([byte]) + data[i:]
    if not data:
        return data
    i = position % len(data)
    if kind == "delete":
        return data[:i] + data[i + 1 :]
    return data[:i] + bytes([data[i] ^ (byte or 1)]) + data[i + 1 :]


mutation = st.tuples(
    st.integers(0, 10**6), st.integers(0, 255), st.sampled_from(["flip", "insert", "delete"])
)


@FUZZ
@given(
    st.sampled_from(sorted(BUNDLE)),
    st.lists(mutation, min_size=1, max_size=3),
    st.sampled_from(["edit", "drop", "add"]),
)
def test_changed_bundle_files_are_refused(target, mutations, how):
    files = dict(BUNDLE)
    if how == "drop":
        del files[target]
    elif how == "add":
        files[target.rsplit(".", 1)[0] + "_extra.txt"] = b"3334\n"
    for position, byte, kind in mutations if how == "edit" else ():
        files[target] = _mutate(files[target], position, byte, kind)
    try:
        manifest = B.verify_manifest(B.BundleFiles(files, "fuzz"))
    except B.BundleError as exc:
        assert str(exc).startswith("fuzz: ")
        return
    # accepted: only the manifest's own bytes may differ (e.g. a whitespace or version edit),
    # every content file is exactly what was built
    assert {k: v for k, v in files.items() if k != B.MANIFEST} == FILES
    assert manifest.files == B.build_manifest(FILES, "x").files


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=800),
        st.lists(mutation, min_size=1, max_size=4).map(lambda ms: _apply(ARCHIVE, ms)),
    )
)
def test_bundle_archive_unpacks_or_refuses(raw):
    try:
        files = B.unpack_archive(raw)
    except B.ArchiveError as exc:
        assert str(exc)
        return
    assert files and all(not rel.startswith("/") and ".." not in rel.split("/") for rel in files)


def _apply(data: bytes, mutations) -> bytes:
    for position, byte, kind in mutations:
        data = _mutate(data, position, byte, kind)
    return data


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=400).map(lambda b: b"MINECHECK-SIGPACK-1\n" + b),
        st.lists(mutation, min_size=1, max_size=4).map(lambda ms: _apply(pack(BUNDLE), ms)),
    )
)
def test_packed_bundle_unpacks_or_refuses(blob):
    try:
        bundle = unpack(blob, "fuzz.bin")
    except B.BundleError as exc:
        assert "fuzz.bin" in str(exc)
        return
    try:
        B.verify_manifest(bundle)
    except B.BundleError:
        return
    assert {k: v for k, v in bundle.files.items() if k != B.MANIFEST} == FILES


# --- hand-carry --------------------------------------------------------------------------

KEY = Ed25519PrivateKey.generate()
TOKEN = "mce_fuzz-token-0123456789"
REPORT = json.dumps({"report_id": "r1", "verdict": {"status": "mining"}}).encode()
SIGNED = H.build(REPORT, KEY)
SIGNED_WITH_TOKEN = H.build(REPORT, KEY, TOKEN)
PUBLIC = H.public_key_b64(KEY)


def lookup(prefix):
    return [H.token_key(TOKEN)] if prefix == TOKEN[: H.TOKEN_PREFIX_LEN] else []


envelope_like = st.fixed_dictionaries(
    {"format": st.one_of(st.just(H.FORMAT), json_values)},
    optional={
        k: st.one_of(st.text(max_size=90), json_values)
        for k in ("report", "sha256", "public_key", "signature", "token_prefix", "token_hmac")
    },
)


@FUZZ
@given(st.one_of(st.binary(max_size=800), envelope_like.map(lambda d: json.dumps(d).encode())))
def test_handcarry_garbage_is_refused_clearly(raw):
    with pytest.raises(H.HandcarryError) as refused:
        H.verify(raw, lookup)
    assert str(refused.value)


@FUZZ
@given(st.sampled_from([SIGNED, SIGNED_WITH_TOKEN]), st.lists(mutation, min_size=1, max_size=3))
def test_changed_handcarry_file_is_never_accepted(original, mutations):
    changed = _apply(original, mutations)
    try:
        checked = H.verify(changed, lookup)
    except H.HandcarryError as exc:
        assert str(exc)
        return
    # accepted: the change was harmless (JSON whitespace, an unused base64 padding bit):
    # the report and the signing key are exactly the original ones
    assert checked.report_json == REPORT and checked.public_key == PUBLIC
    assert original is SIGNED_WITH_TOKEN or not checked.token_verified


@FUZZ
@given(
    st.sampled_from(
        ["report", "sha256", "public_key", "signature", "token_prefix", "token_hmac", "format"]
    ),
    st.one_of(st.text(max_size=120), json_values),
)
def test_replaced_handcarry_field_is_refused(field, value):
    envelope = json.loads(SIGNED_WITH_TOKEN)
    if envelope.get(field) == value:
        return
    envelope[field] = value
    try:
        checked = H.verify(json.dumps(envelope).encode(), lookup)
    except H.HandcarryError as exc:
        assert str(exc)
        return
    assert checked.report_json == REPORT and checked.public_key == PUBLIC
