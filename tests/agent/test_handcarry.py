"""Hand-carry files: a genuine file verifies; any change is refused with a clear reason."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from agent.transport import handcarry


def _report() -> bytes:
    return json.dumps({"report_id": "r1", "verdict": {"status": "clean"}}).encode()


def test_round_trip_with_token(tmp_path):
    path = handcarry.write(
        tmp_path / "r.mcr", _report(), tmp_path, enrollment_token="tok-123456789"
    )
    lookup = {"tok-123456": [handcarry.token_key("tok-123456789")]}
    result = handcarry.verify(path.read_bytes(), lambda p: lookup.get(p, []))
    assert result.report_json == _report() and result.token_verified
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / handcarry.KEY_FILE).stat().st_mode) == 0o600


def test_install_key_is_stable(tmp_path):
    a = handcarry.build(_report(), handcarry.install_key(tmp_path))
    b = handcarry.build(_report(), handcarry.install_key(tmp_path))
    assert json.loads(a)["public_key"] == json.loads(b)["public_key"]


def _tamper(envelope: bytes, **changes) -> bytes:
    data = json.loads(envelope)
    data.update(changes)
    return json.dumps(data).encode()


def test_changed_report_is_refused(tmp_path):
    env = handcarry.build(_report(), handcarry.install_key(tmp_path))
    forged = _report().replace(b"clean", b"mined")
    with pytest.raises(handcarry.HandcarryError, match="hash mismatch"):
        handcarry.verify(_tamper(env, report=base64.b64encode(forged).decode()))


def test_resigned_with_other_key_fails_token_check(tmp_path):
    genuine = handcarry.build(_report(), handcarry.install_key(tmp_path / "a"), "real-token-1")
    forged = handcarry.build(_report(), handcarry.install_key(tmp_path / "b"), "guessed-tok")
    lookup = {"real-token": [handcarry.token_key("real-token-1")]}
    assert handcarry.verify(genuine, lambda p: lookup.get(p, [])).token_verified
    with pytest.raises(handcarry.HandcarryError, match="token does not match"):
        handcarry.verify(_tamper(forged, token_prefix="real-token"), lambda p: lookup.get(p, []))


@pytest.mark.parametrize("blob", [b"", b"not json", b'{"format": "other"}', b"[1,2]"])
def test_garbage_is_refused_clearly(blob):
    with pytest.raises(handcarry.HandcarryError, match="hand-carry"):
        handcarry.verify(blob)
