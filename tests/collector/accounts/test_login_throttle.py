"""Login throttling over the real server (django-axes): lock-out in Chinese, CLI unlock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]


def _attempt(server, username: str, password: str) -> requests.Response:
    session = requests.Session()
    page = session.get(server.url("/accounts/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        server.url("/accounts/login/"),
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": server.url("/accounts/login/")},
        allow_redirects=False,
        timeout=60,
    )


def test_wrong_passwords_lock_the_user_until_the_admin_unlocks(server, django_dbs):
    org = server.org("限速中学")
    user, password = server.user("school_staff", org)
    answers = [_attempt(server, user.username, "wrong-password").status_code for _ in range(6)]
    assert answers[:4] == [200] * 4  # the form again, with an error
    locked = _attempt(server, user.username, password)  # the right password, too late
    assert locked.status_code == 429
    assert "登录已锁定" in locked.text and "局管理员" in locked.text
    env = {**os.environ, "MINECHECK_DATA": str(django_dbs[server.alias]["data"])}
    env.pop("DATABASE_URL", None)
    if django_dbs[server.alias].get("database_url"):
        env["DATABASE_URL"] = django_dbs[server.alias]["database_url"]
    done = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", "user", "unlock", user.username],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _attempt(server, user.username, password).status_code == 302
