"""The collector's Django catalogue: every message translated, the committed .mo current, and
Chinese served by default with English available."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_catalogue_complete_and_compiled():
    done = subprocess.run(
        [sys.executable, "build/collector_i18n.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pages_speak_chinese_by_default_and_english_on_request(server):
    import requests

    zh = requests.get(server.url("/accounts/login/"), timeout=10)
    en = requests.get(server.url("/accounts/login/"), timeout=10, headers={"Accept-Language": "en"})
    assert zh.status_code == en.status_code == 200
    assert "登录" in zh.text
    assert "Sign in" in en.text
