"""The hand-carry envelope: a report file a café owner carries to the bureau on a USB stick.

The file is tamper-evident: the exact report bytes are signed with the install's Ed25519 key,
and, when the agent knows an enrollment token, also authenticated with HMAC-SHA256 keyed by
sha256(token) — a key the collector holds (it stores only token hashes) and a forger without
the token does not. Any change to the report breaks both. The signature, checked against the
key inside the file, proves only that the file is intact: the collector trusts a file only
when that key is the one the agent sent at enrollment (or one a person accepted).

Format ``minecheck-handcarry/1`` (JSON object; unknown extra fields are ignored)::

    format        "minecheck-handcarry/1"
    report        the report JSON bytes, base64
    sha256        sha256 of those bytes, lower-case hex
    public_key    the install's Ed25519 public key, raw 32 bytes, base64
    signature     Ed25519 signature of the report bytes, base64
    token_prefix  (optional) the enrollment token's first characters, to find its hash
    token_hmac    (optional) HMAC-SHA256(sha256(token), report bytes), lower-case hex

The agent writes files with :func:`build`; the collector checks them with :func:`verify`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT = "minecheck-handcarry/1"
TOKEN_PREFIX_LEN = 10  # the collector shows and indexes tokens by this prefix
MAX_REPORT_B64 = 64 * 1024 * 1024  # far above any report; the collector caps files lower

_ASCII = r"^[\x20-\x7e]*$"
_B64 = r"^[A-Za-z0-9+/]*={0,2}$"


class HandcarryError(Exception):
    """The file is not a valid hand-carry report; the message says why."""


class HandcarryEnvelope(BaseModel):
    """The JSON object of a hand-carry file (see the module docstring)."""

    model_config = ConfigDict(extra="ignore", frozen=True, strict=True)

    format: Literal["minecheck-handcarry/1"]
    # Shapes only: a value of the right shape but wrong content (a changed hash, a key or
    # signature of the wrong length) is a tampered file, refused by verify() as such.
    report: str = Field(max_length=MAX_REPORT_B64, pattern=_B64)
    sha256: str = Field(max_length=128, pattern=_ASCII)
    public_key: str = Field(max_length=128, pattern=_B64)
    signature: str = Field(max_length=256, pattern=_B64)
    token_prefix: str | None = Field(
        None, min_length=1, max_length=TOKEN_PREFIX_LEN, pattern=r"^[\x21-\x7e]+$"
    )
    token_hmac: str | None = Field(None, max_length=128, pattern=_ASCII)

    def report_bytes(self) -> bytes:
        return base64.b64decode(self.report, validate=True)

    def public_key_bytes(self) -> bytes:
        return base64.b64decode(self.public_key, validate=True)

    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature, validate=True)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def token_key(enrollment_token: str) -> bytes:
    """The HMAC key both sides can derive: sha256 of the token (the collector stores it)."""
    return hashlib.sha256(enrollment_token.encode("utf-8")).digest()


def token_hmac(key: bytes, report_json: bytes) -> str:
    """The ``token_hmac`` of ``report_json`` under ``key`` (a sha256(token) digest)."""
    return hmac.new(key, report_json, hashlib.sha256).hexdigest()


def public_key_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The public half as the agent sends it at enrollment (raw 32 bytes, base64)."""
    return _b64(public_key_raw(key))


def build(report_json: bytes, key: Ed25519PrivateKey, enrollment_token: str | None = None) -> bytes:
    """The hand-carry file of ``report_json``, signed with ``key`` (and HMAC-ed with the
    enrollment token when there is one)."""
    envelope = {
        "format": FORMAT,
        "report": _b64(report_json),
        "sha256": hashlib.sha256(report_json).hexdigest(),
        "public_key": _b64(public_key_raw(key)),
        "signature": _b64(key.sign(report_json)),
    }
    if enrollment_token:
        envelope["token_prefix"] = enrollment_token[:TOKEN_PREFIX_LEN]
        envelope["token_hmac"] = token_hmac(token_key(enrollment_token), report_json)
    return json.dumps(envelope, indent=1).encode("utf-8")


@dataclass
class VerifiedHandcarry:
    """A file whose signature matches the public key inside it. That key proves nothing by
    itself (anyone can re-sign with a fresh one): the collector compares ``public_key`` with
    the key it bound to the device."""

    report_json: bytes
    public_key_sha256: str
    token_prefix: str | None
    token_verified: bool
    public_key: str = ""  # raw, base64
    token_hmac: str | None = None


def parse_envelope(data: bytes) -> HandcarryEnvelope:
    """The envelope of a hand-carry file, or HandcarryError saying why it is not one."""
    try:
        return HandcarryEnvelope.model_validate_json(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(e.get("loc", ())[:1] == ("format",) for e in errors):
            raise HandcarryError("not a minecheck hand-carry file (unknown format)") from exc
        first = errors[0]
        if first.get("type") in ("json_invalid", "json_type", "model_type"):
            reason = "not a JSON object"
        else:
            where = ".".join(str(p) for p in first.get("loc", ())) or "file"
            reason = f"{where}: {first.get('msg', 'invalid')}"
        raise HandcarryError(f"not a minecheck hand-carry file ({reason})") from exc


TokenLookup = Callable[[str | None], Iterable[bytes]]


def verify(data: bytes, token_hash_lookup: TokenLookup | None = None) -> VerifiedHandcarry:
    """Check a hand-carry file; ``token_hash_lookup(prefix) -> list[bytes]`` gives candidate
    sha256(token) keys when the file claims a token. Raises HandcarryError when tampered."""
    envelope = parse_envelope(data)
    try:
        report = envelope.report_bytes()
        public = envelope.public_key_bytes()
        signature = envelope.signature_bytes()
    except (binascii.Error, ValueError) as exc:
        raise HandcarryError(f"not a minecheck hand-carry file ({type(exc).__name__})") from exc
    if not hmac.compare_digest(hashlib.sha256(report).hexdigest(), envelope.sha256):
        raise HandcarryError("the report was changed after it was written (hash mismatch)")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, report)
    except (InvalidSignature, ValueError) as exc:
        raise HandcarryError("the report was changed after it was written (bad signature)") from exc
    token_verified = False
    if envelope.token_hmac is not None:
        if token_hash_lookup is None:
            raise HandcarryError("the file claims an enrollment token that cannot be checked")
        token_verified = any(
            hmac.compare_digest(token_hmac(k, report), envelope.token_hmac)
            for k in token_hash_lookup(envelope.token_prefix)
        )
        if not token_verified:
            raise HandcarryError("the enrollment token does not match (forged or wrong bureau)")
    return VerifiedHandcarry(
        report,
        hashlib.sha256(public).hexdigest(),
        envelope.token_prefix,
        token_verified,
        _b64(public),
        envelope.token_hmac,
    )
