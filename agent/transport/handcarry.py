"""Offline hand-carry: a report file a café owner carries to the bureau on a USB stick.

The file is tamper-evident: the exact report bytes are signed with this install's Ed25519
key, and, when the agent knows an enrollment token, also authenticated with HMAC-SHA256 keyed
by sha256(token) — a key the collector holds (it stores only token hashes) and a forger
without the token does not. Any change to the report breaks both. The signature, checked
against the key inside the file, proves only that the file is intact: the collector trusts a
file only when that key is the one the agent sent at enrollment (or one a person accepted).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from agent.transport.credentials import restrict_to_admins
from agent.transport.spool import atomic_write

FORMAT = "minecheck-handcarry/1"
KEY_FILE = "install_key.pem"
TOKEN_PREFIX_LEN = 10  # the collector shows and indexes tokens by this prefix


class HandcarryError(Exception):
    """The file is not a valid hand-carry report; the message says why."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def install_key(home: Path) -> Ed25519PrivateKey:
    """This install's signing key, created on first use and readable by admins only."""
    path = home / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise HandcarryError(f"{path}: not an Ed25519 key")
        return key
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    atomic_write(path, pem)
    restrict_to_admins(path)
    return key


def token_key(enrollment_token: str) -> bytes:
    """The HMAC key both sides can derive: sha256 of the token (the collector stores it)."""
    return hashlib.sha256(enrollment_token.encode("utf-8")).digest()


def public_key_raw(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """The public half as the agent sends it at enrollment (raw 32 bytes, base64)."""
    return _b64(public_key_raw(key))


def build(report_json: bytes, key: Ed25519PrivateKey, enrollment_token: str | None = None) -> bytes:
    public = public_key_raw(key)
    envelope = {
        "format": FORMAT,
        "report": _b64(report_json),
        "sha256": hashlib.sha256(report_json).hexdigest(),
        "public_key": _b64(public),
        "signature": _b64(key.sign(report_json)),
    }
    if enrollment_token:
        envelope["token_prefix"] = enrollment_token[:TOKEN_PREFIX_LEN]
        envelope["token_hmac"] = hmac.new(
            token_key(enrollment_token), report_json, hashlib.sha256
        ).hexdigest()
    return json.dumps(envelope, indent=1).encode("utf-8")


def write(path: Path, report_json: bytes, home: Path, enrollment_token: str | None = None) -> Path:
    atomic_write(path, build(report_json, install_key(home), enrollment_token))
    return path


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


def verify(data: bytes, token_hash_lookup=None) -> VerifiedHandcarry:
    """Check a hand-carry file; ``token_hash_lookup(prefix) -> list[bytes]`` gives candidate
    sha256(token) keys when the file claims a token. Raises HandcarryError when tampered."""
    try:
        envelope = json.loads(data)
        if envelope.get("format") != FORMAT:
            raise HandcarryError("not a minecheck hand-carry file (unknown format)")
        report = base64.b64decode(envelope["report"], validate=True)
        public = base64.b64decode(envelope["public_key"], validate=True)
        signature = base64.b64decode(envelope["signature"], validate=True)
    except HandcarryError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HandcarryError(f"not a minecheck hand-carry file ({type(exc).__name__})") from exc
    if hashlib.sha256(report).hexdigest() != envelope.get("sha256"):
        raise HandcarryError("the report was changed after it was written (hash mismatch)")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, report)
    except (InvalidSignature, ValueError) as exc:
        raise HandcarryError("the report was changed after it was written (bad signature)") from exc
    prefix = envelope.get("token_prefix")
    token_verified = False
    if envelope.get("token_hmac") is not None:
        if token_hash_lookup is None:
            raise HandcarryError("the file claims an enrollment token that cannot be checked")
        expected = envelope["token_hmac"]
        token_verified = any(
            hmac.compare_digest(hmac.new(k, report, hashlib.sha256).hexdigest(), expected)
            for k in token_hash_lookup(prefix)
        )
        if not token_verified:
            raise HandcarryError("the enrollment token does not match (forged or wrong bureau)")
    return VerifiedHandcarry(report, hashlib.sha256(public).hexdigest(), prefix, token_verified,
                             _b64(public))
