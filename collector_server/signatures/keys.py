"""The collector's Ed25519 signing key: created on first use in the data folder (mode 0600),
never stored in the database. Agents receive the public key at enrollment."""

from __future__ import annotations

import base64
import contextlib
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings

KEY_FILE = "signing_key.pem"
_lock = threading.Lock()


def key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def signing_key() -> Ed25519PrivateKey:
    """Load the key; create it (0600, written atomically and exclusively) if missing."""
    path = key_path()
    with _lock:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            key = Ed25519PrivateKey.generate()
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
                fh.flush()
                os.fsync(fh.fileno())
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o600)
            try:  # another worker may have won the race: keep its key
                os.link(tmp, path)
            except FileExistsError:
                pass
            finally:
                tmp.unlink(missing_ok=True)
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def public_key_raw() -> bytes:
    return (
        signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def public_key_b64() -> str:
    """The public key as the agent stores it (base64 of the 32 raw bytes)."""
    return base64.b64encode(public_key_raw()).decode("ascii")


def sign(data: bytes) -> str:
    return base64.b64encode(signing_key().sign(data)).decode("ascii")
