"""Offline hand-carry on the agent: this install's signing key and writing the file.

The envelope format, :func:`build` and :func:`verify` live in agent/wire/handcarry.py (the
collector verifies with the same code) and are re-exported here.
"""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agent.transport.credentials import restrict_to_admins
from agent.transport.spool import atomic_write
from agent.wire.handcarry import (
    FORMAT,
    TOKEN_PREFIX_LEN,
    HandcarryError,
    VerifiedHandcarry,
    build,
    public_key_b64,
    public_key_raw,
    token_key,
    verify,
)

__all__ = [
    "FORMAT",
    "KEY_FILE",
    "TOKEN_PREFIX_LEN",
    "HandcarryError",
    "VerifiedHandcarry",
    "build",
    "install_key",
    "public_key_b64",
    "public_key_raw",
    "token_key",
    "verify",
    "write",
]

KEY_FILE = "install_key.pem"


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


def write(path: Path, report_json: bytes, home: Path, enrollment_token: str | None = None) -> Path:
    """Write the hand-carry file of ``report_json`` to ``path``, signed with this install's key."""
    atomic_write(path, build(report_json, install_key(home), enrollment_token))
    return path
