"""Signature updates from the collector: fetch a newer bundle only through the authenticated
API, verify its Ed25519 signature (public key stored at enrollment) and every file hash of
its manifest, validate and compile it, then switch atomically (``signatures/current``; the
loader keeps ``last_good``). Anything wrong leaves the bundle in use untouched; the reason
is logged and kept in ``signatures/update_state.json`` for ``minecheck update-signatures
--status``."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent.bundle.files import BundleError, BundleFiles, read_bundle, read_manifest, version_key
from agent.bundle.loader import builtin_location, install_bundle, signatures_home
from agent.transport import credentials, problems
from agent.transport.agent_state import AgentState
from agent.transport.client import API, Answer, CollectorClient, Outcome
from agent.wire import bundle as wire_bundle

log = logging.getLogger(__name__)
STATE_FILE = "update_state.json"
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024


class UpdateRefused(Exception):
    """The offered bundle was not installed; the message says why."""


@dataclass
class UpdateResult:
    status: str  # updated / up_to_date / none_published / refused / unreachable / not_enrolled
    version: str | None = None  # version now in use (or offered, when refused)
    message: str = ""
    checked_at: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status in ("updated", "up_to_date", "none_published")


def installed_version(home: Path) -> str:
    """Version of the collector bundle in ``current`` (else the shipped one)."""
    for location in (signatures_home(home) / "current", builtin_location()):
        try:
            return read_manifest(read_bundle(location)).version
        except (BundleError, OSError):
            continue
    return "0"


def verify_signature(archive: bytes, signature_b64: str, public_key_b64: str) -> None:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64, validate=True))
        signature = base64.b64decode(signature_b64 or "", validate=True)
    except ValueError as exc:
        raise UpdateRefused(f"unusable signing key or signature ({exc})") from exc
    if not signature:
        raise UpdateRefused("the bundle is not signed")
    try:
        key.verify(signature, archive)
    except InvalidSignature as exc:
        raise UpdateRefused(
            "the bundle's signature is wrong (not signed by the collector)"
        ) from exc


def unpack_archive(archive: bytes) -> dict[str, bytes]:
    """Files of a bundle tar.gz (agent/wire/bundle.py); UpdateRefused when unsafe or damaged."""
    try:
        return wire_bundle.unpack_archive(archive)
    except wire_bundle.ArchiveError as exc:
        raise UpdateRefused(str(exc)) from exc


def check_bundle(archive: bytes, info: dict, public_key_b64: str, home: Path) -> str:
    """Verify, validate and install one offered bundle; returns its version."""
    if hashlib.sha256(archive).hexdigest() != info.get("sha256"):
        raise UpdateRefused("the downloaded bundle does not match its announced sha256")
    verify_signature(archive, str(info.get("signature") or ""), public_key_b64)
    files = unpack_archive(archive)
    try:
        manifest = read_manifest(BundleFiles(files, "downloaded bundle"))
    except BundleError as exc:
        raise UpdateRefused(str(exc)) from exc
    if manifest.version != info.get("version"):
        raise UpdateRefused(
            f"the bundle says version {manifest.version}, the collector announced "
            f"{info.get('version')}"
        )
    try:  # checks every file's sha256, the lists and the rules; compiles the rules
        install_bundle(files, home)
    except BundleError as exc:
        raise UpdateRefused(str(exc)) from exc
    return manifest.version


def _get(state: AgentState, path: str) -> requests.Response:
    client = state.client()
    headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
    return client.session.get(client.base + API + path, headers=headers, timeout=client.timeout)


def _public_key(state: AgentState) -> str | None:
    """The key stored at enrollment; agents enrolled before bundles were signed fetch it once
    over the authenticated channel."""
    creds = state.creds
    if creds is None:
        return None
    if creds.signing_public_key:
        return creds.signing_public_key
    answer = state.client().config()
    if answer.outcome is Outcome.acked and isinstance(answer.body, dict):
        key = answer.body.get("signing_public_key")
        if key:
            creds.signing_public_key = str(key)
            credentials.save(state.home, creds)
            return creds.signing_public_key
    return None


def update(state: AgentState) -> UpdateResult:
    """Check the collector for a newer bundle and install it (see the module docstring)."""
    result = _update(state)
    result.checked_at = time.time()
    if result.status == "refused":
        log.warning("signature update refused: %s", result.message)
    save_state(state.home, result)
    return result


def _server_url(state: AgentState) -> str:
    return state.config.server.url or (state.creds.server_url if state.creds else "")


def _network_reason(state: AgentState, exc: requests.RequestException) -> str:
    log.info("signature update: %s: %s", type(exc).__name__, exc)
    return problems.describe(
        Answer(Outcome.retry, problem=problems.network_problem(exc)), _server_url(state)
    )


def _http_reason(state: AgentState, response: requests.Response) -> str:
    log.info("signature update: HTTP %s %s", response.status_code, response.text[:200])
    return problems.describe(CollectorClient.answer_of(response), _server_url(state))


def _update(state: AgentState) -> UpdateResult:
    home = state.home
    current = installed_version(home)
    if state.creds is None:
        return UpdateResult("not_enrolled", current, "not enrolled")
    try:
        response = _get(state, "/signatures/latest")
    except requests.RequestException as exc:
        return UpdateResult("unreachable", current, _network_reason(state, exc))
    if response.status_code == 404:
        return UpdateResult("none_published", current, "")
    if response.status_code != 200:
        return UpdateResult("unreachable", current, _http_reason(state, response))
    try:
        info = response.json()
        offered = str(info["version"])
    except (ValueError, KeyError, TypeError):
        return UpdateResult(
            "refused", current, "the collector's answer is not a bundle description"
        )
    if version_key(offered) <= version_key(current):
        return UpdateResult("up_to_date", current)
    key = _public_key(state)
    if not key:
        return UpdateResult(
            "refused", offered, "no collector public key stored: enroll this computer again"
        )
    try:
        archive = _get(state, f"/signatures/{offered}/archive")
    except requests.RequestException as exc:
        return UpdateResult("unreachable", current, _network_reason(state, exc))
    if archive.status_code != 200:
        return UpdateResult("unreachable", current, _http_reason(state, archive))
    if len(archive.content) > MAX_ARCHIVE_BYTES:
        return UpdateResult("refused", offered, "the bundle is larger than 64 MB")
    try:
        version = check_bundle(archive.content, info, key, home)
    except UpdateRefused as exc:
        return UpdateResult(
            "refused", offered, f"bundle {offered} refused: {exc}; still using {current}"
        )
    return UpdateResult("updated", version, f"updated from {current}")


def save_state(home: Path, result: UpdateResult) -> None:
    from agent.transport.spool import atomic_write

    try:
        atomic_write(signatures_home(home) / STATE_FILE, json.dumps(asdict(result)).encode())
    except OSError as exc:
        log.warning("could not record the signature update state: %s", exc)


def load_state(home: Path) -> UpdateResult | None:
    try:
        data = json.loads((signatures_home(home) / STATE_FILE).read_text(encoding="utf-8"))
        return UpdateResult(**{k: data.get(k) for k in UpdateResult.__dataclass_fields__})
    except (OSError, ValueError, TypeError):
        return None
