"""Re-enrolling a known PC says so: the enroll answer tells that the device already existed,
which ledger fields were kept (a person had set them) and which were filled; the agent's
`minecheck enroll` prints that in Chinese. Over the real server and the real agent."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.collector.factories import make_identity

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def _agent(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MINECHECK_HOME", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(
        [sys.executable, "-m", "agent", "--lang", "zh", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_enroll_answer_says_known_device_kept_and_filled_fields(server):
    school = server.org("十一中")
    identity = make_identity(f"kept-{server.backend}")
    first = server.enroll(server.enrollment_token(school), identity, {"location": "机房1"})
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["created"] is True and body["ledger_filled"] == ["location"]
    assert body["ledger_kept"] == []
    server.devices().filter(pk=body["device_id"]).update(location="图书馆二楼")  # a person

    again = server.enroll(
        server.enrollment_token(school), identity, {"location": "别处", "department": "教务处"}
    )
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["created"] is False
    assert body["ledger_kept"] == [{"field": "location", "kept": "图书馆二楼", "sent": "别处"}]
    assert body["ledger_filled"] == ["department"]


def test_minecheck_enroll_says_in_chinese_that_the_pc_was_known(server, tmp_path):
    """Before: the second enroll printed only "已登记…", the location was ignored silently."""
    school = server.org("十二中")
    home = tmp_path / "agent-home"
    first = _agent(
        home,
        "enroll",
        "--server",
        server.base_url,
        "--token",
        server.enrollment_token(school),
        "--location",
        "机房 301",
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "已在台账中" not in first.stdout
    device = server.devices().filter(organisation=school).get()
    server.devices().filter(pk=device.pk).update(location="机房 302（人工核对）")

    again = _agent(
        home,
        "enroll",
        "--server",
        server.base_url,
        "--token",
        server.enrollment_token(school),
        "--location",
        "机房 301",
        "--department",
        "信息中心",
    )
    assert again.returncode == 0, again.stdout + again.stderr
    out = again.stdout
    assert "已在台账中" in out and str(device.pk) in out, out
    assert "机房 302（人工核对）" in out and "机房 301" in out and "未采用" in out, out
    assert "管理部门" in out, out  # filled
    assert server.devices().get(pk=device.pk).location == "机房 302（人工核对）"
