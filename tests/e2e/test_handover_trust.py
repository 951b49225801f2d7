"""Trust between the real agent and the real collector: a revoked device token is refused and
the agent says so in Chinese; hand-carry files count only when signed with the key the agent
sent at enrollment."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from agent.transport import handcarry
from tests.e2e.conftest import ROOT, _env

pytestmark = pytest.mark.slow


def _device_id(agent) -> str:
    return json.loads((agent.home / "credentials.json").read_text("utf-8"))["device_id"]


def _zh(agent, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "agent", "--lang", "zh", "--home", str(agent.home), *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=ROOT,
        timeout=180,
    )


def test_revoked_device_token_is_refused_and_the_agent_says_so_in_chinese(collector, agent):
    revoked = collector.cli("token", "revoke-device", _device_id(agent))
    assert "revoked 1 device token" in revoked.stdout, revoked.stdout
    scan = _zh(agent, "scan", "--sample-seconds", "0", "--upload")
    assert "设备令牌已被吊销，请重新登记" in scan.stderr, scan.stderr
    waiting = agent.pending_ids()
    assert len(waiting) == 1  # nothing lost: the report waits for a new token
    upload = _zh(agent, "upload")
    assert upload.returncode != 0 and "设备令牌已被吊销，请重新登记" in upload.stderr
    assert agent.pending_ids() == waiting
    agent.run(
        "enroll", "--server", collector.proxy.url, "--token", collector.token(), check_rc=(0,)
    )
    agent.upload_until_empty()
    stored = set(collector.report_ids())
    assert all(rid in stored for rid in waiting)


def test_enrolled_agents_file_applies_and_a_resigned_one_is_held(collector, agent, tmp_path):
    bound = collector.query(
        "SELECT handcarry_key FROM ledger_device WHERE id = ?", int(_device_id(agent))
    )
    assert bound == [(handcarry.public_key_b64(handcarry.install_key(agent.home)),)]
    usb = tmp_path / "usb"
    usb.mkdir()
    agent.scan("--export", str(usb))
    (exported,) = list(usb.glob("*.mcr"))
    applied = collector.cli("handcarry", "import", str(exported))
    assert ": imported:" in applied.stdout, applied.stdout

    envelope = json.loads(exported.read_bytes())
    body = json.loads(base64.b64decode(envelope["report"]))
    body["report_id"] = "00000000-0000-4000-8000-0000000000a1"
    body["verdict"]["status"] = "clean"
    body["findings"] = []
    forged = tmp_path / "forged.mcr"
    forged.write_bytes(
        handcarry.build(json.dumps(body).encode(), handcarry.install_key(tmp_path / "forger"))
    )
    held = collector.cli("handcarry", "import", str(forged), check=False)
    assert held.returncode == 2, held.stdout
    assert "held for review" in held.stdout and "did not enroll with" in held.stdout
    assert collector.query(
        "SELECT COUNT(*) FROM ingest_report WHERE report_id = ?", "000000000000400080000000000000a1"
    ) == [(0,)]
    listed = collector.cli("handcarry", "held")
    assert "did not enroll with" in listed.stdout
