"""Signed signature updates end to end: a bundle the bureau imports reaches the agent, and a
corrupt, unsigned, wrongly signed, tampered or uncompilable bundle is refused while the
last good one stays in use."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import sqlite3
import tarfile
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

pytestmark = pytest.mark.slow


def _targz(files: dict[str, bytes]) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue())


def _untargz(archive: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(gzip.decompress(archive))) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def _with_manifest(files: dict[str, bytes], version: str) -> dict[str, bytes]:
    files = {k: v for k, v in files.items() if k != "manifest.json"}
    manifest = {
        "format": 1,
        "version": version,
        "date": "2026-11-23",
        "files": {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())},
    }
    return {**files, "manifest.json": json.dumps(manifest).encode()}


def _publish(collector, version: str, archive: bytes, signature: str, minute: int) -> None:
    """Put a bundle row straight into the collector's database (what a compromised or
    broken publisher could produce); the collector serves it as the newest."""
    created = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(minutes=minute)
    db = sqlite3.connect(collector.data / "minecheck.sqlite3", timeout=30)
    with db:
        db.execute(
            "INSERT INTO distribution_signaturebundle (version, created_at, sha256, signature, "
            "size, archive, notes, source_files, counts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version,
                created.isoformat(sep=" "),
                hashlib.sha256(archive).hexdigest(),
                signature,
                len(archive),
                archive,
                "e2e",
                "[]",
                "{}",
            ),
        )
    db.close()


def _current_version(agent) -> str:
    return json.loads((agent.home / "signatures" / "current" / "manifest.json").read_text())[
        "version"
    ]


def test_signed_updates_reach_agents_and_bad_bundles_are_refused(
    collector, agent, tmp_path, monkeypatch
):
    notice = tmp_path / "province-notice.txt"
    notice.write_text("# 省通报\ne2e-pool.mining-notice.example\n203.0.113.77\n", "utf-8")
    out = collector.cli("signatures", "import", str(notice), "--note", "e2e notice").stdout
    good = out.split("bundle ", 1)[1].split()[0]

    # One cycle of `minecheck run`: pushed settings, signature update, supervised scan+upload.
    db = sqlite3.connect(collector.data / "minecheck.sqlite3", timeout=30)
    with db:
        db.execute(
            "INSERT OR REPLACE INTO ledger_agentsettings (organisation_id, sample_seconds, "
            "updated_at) SELECT id, 0, ? FROM ledger_organisation WHERE name = ?",
            (datetime.now(timezone.utc).isoformat(sep=" "), "e2e-school"),
        )
    db.close()
    monkeypatch.setenv("MINECHECK_HOME", str(agent.home))
    from agent.runner.budget import Budget
    from agent.runner.loop import run_cycle
    from agent.transport.agent_state import AgentState

    before = set(collector.report_ids())
    cycle = run_cycle(AgentState.load(), Budget(max_rss_mb=2048, max_cpu_share=1.0))
    assert cycle.result.returncode in (0, 1) and cycle.schedule.sample_seconds == 0
    assert _current_version(agent) == good
    state = json.loads((agent.home / "signatures" / "update_state.json").read_text())
    assert state["status"] == "updated" and state["version"] == good
    (new_id,) = set(collector.report_ids()) - before
    ((sigver,),) = collector.query(
        "SELECT signature_version FROM ingest_report WHERE report_id = ?", new_id
    )
    assert sigver == good
    assert (good,) in collector.query("SELECT signature_version FROM ledger_device")
    assert agent.run("update-signatures", check_rc=(0,)).stdout.count("up to date") == 1

    ((good_archive,),) = collector.query(
        "SELECT archive FROM distribution_signaturebundle WHERE version = ?", good
    )
    key = serialization.load_pem_private_key(
        (collector.data / "signing_key.pem").read_bytes(), password=None
    )
    files = _untargz(good_archive)

    def sign(data: bytes, with_key=key) -> str:
        return base64.b64encode(with_key.sign(data)).decode()

    cases = []
    v = f"{good}.1"
    damaged = good_archive[: len(good_archive) // 2]
    cases.append((v, damaged, sign(damaged), "damaged"))
    v = f"{good}.2"
    archive = _targz(_with_manifest(files, v))
    cases.append((v, archive, "", "not signed"))
    v = f"{good}.3"
    archive = _targz(_with_manifest(files, v))
    cases.append((v, archive, sign(archive, Ed25519PrivateKey.generate()), "signature is wrong"))
    v = f"{good}.4"
    tampered = _with_manifest(files, v)
    tampered["pools/domains.txt"] += b"evil-extra.example\timported\tattacker\n"
    archive = _targz(tampered)
    cases.append((v, archive, sign(archive), "does not match its sha256"))
    v = f"{good}.5"
    broken = dict(files)
    broken["yara/file/zz_broken.yar"] = b"rule broken { condition: $nothing }"
    archive = _targz(_with_manifest(broken, v))
    cases.append((v, archive, sign(archive), "does not compile"))

    for minute, (version, archive, signature, reason) in enumerate(cases, start=1):
        _publish(collector, version, archive, signature, minute)
        refused = agent.run("update-signatures", check_rc=(2,))
        assert "refused" in refused.stderr and reason in refused.stderr, refused.stderr
        assert _current_version(agent) == good
    status = agent.run("update-signatures", "--status", check_rc=(2,))
    assert f"still using {good}" in status.stdout and "does not compile" in status.stdout
    agent.scan("--json", str(tmp_path / "after.json"))
    assert json.loads((tmp_path / "after.json").read_text())["signatures"]["version"] == good
