"""Enrollment: trade the enrollment token and this device's identity for a device token."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from agent.collectors.base import ScanContext
from agent.collectors.inventory import collect_inventory
from agent.config import ServerConfig, candidate_paths
from agent.i18n import _
from agent.transport import credentials, handcarry
from agent.transport.client import CollectorClient, Outcome
from agent.transport.problems import NETWORK_PROBLEMS, describe

log = logging.getLogger(__name__)

# minecheck.toml / CLI names -> the collector API's ledger field names
LEDGER_API_NAMES = {"owner": "responsible_person", "phone": "responsible_phone"}


class EnrollmentError(Exception):
    pass


def enrollment_payload(token: str, ledger: dict[str, str | None], home: Path | None = None) -> dict:
    """The enroll request; with ``home``, it carries this install's hand-carry public key, so
    the collector accepts hand-carry files signed by this install only."""
    identity, hardware = collect_inventory(ScanContext())
    payload = {
        "enrollment_token": token,
        "device": identity.model_dump(mode="json"),
        "hardware": hardware.model_dump(mode="json"),
        "ledger": {LEDGER_API_NAMES.get(k, k): v for k, v in ledger.items() if v},
    }
    if home is not None:
        # an unreadable key does not stop enrollment; this PC's hand-carry files are then held
        with contextlib.suppress(OSError, ValueError, handcarry.HandcarryError):
            payload["handcarry_public_key"] = handcarry.public_key_b64(handcarry.install_key(home))
    return payload


def enroll(
    home: Path, server: ServerConfig, ledger: dict[str, str | None]
) -> credentials.Credentials:
    """Enroll and keep the device token; the credentials."""
    return enroll_with_answer(home, server, ledger)[0]


def enroll_with_answer(
    home: Path, server: ServerConfig, ledger: dict[str, str | None]
) -> tuple[credentials.Credentials, dict]:
    """Enroll and keep the device token; the credentials and the collector's answer (whether
    the device was already known, which ledger fields were kept or filled)."""
    searched = "; ".join(str(p) for p in candidate_paths(None))
    if not server.url:
        raise EnrollmentError(
            _(
                "no collector address: give it with --server https://host[:port], or write "
                "[server] url in minecheck.toml (looked for: {searched})"
            ).format(searched=searched)
        )
    if not server.enrollment_token:
        raise EnrollmentError(
            _(
                "no enrollment token: give the one from the bureau or school with --token, or "
                "write [server] enrollment_token in minecheck.toml (looked for: {searched})"
            ).format(searched=searched)
        )
    payload = enrollment_payload(server.enrollment_token, ledger, home)
    answer = CollectorClient(server).enroll(payload)
    if answer.outcome is not Outcome.acked or not isinstance(answer.body, dict):
        log.info("enrollment failed: HTTP %s %s", answer.status, answer.message)
        raise EnrollmentError(describe(answer, server.url))
    body = answer.body
    token = body.get("device_token") or body.get("token")
    if not token:
        raise EnrollmentError(_(NETWORK_PROBLEMS["not_collector"]).format(url=server.url))
    creds = credentials.Credentials(
        server_url=server.url,
        device_token=token,
        device_id=str(body.get("device_id") or body.get("device") or "") or None,
        signing_public_key=body.get("signing_public_key"),
    )
    credentials.save(home, creds)
    return creds, body
