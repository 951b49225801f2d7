"""The 举报 block end to end: the culture bureau sets a phone and address on the collector's
page, a café's agent fetches its settings from the running collector, and the café scan's
HTML report shows them (zh and en); a school under another bureau gets none."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys

import pytest
import requests

from tests.e2e.conftest import ROOT, Agent, _env

pytestmark = pytest.mark.slow

PHONE = "0571-12345678"
ADDRESS = "某县文化市场综合执法大队（人民路 1 号）"


def _login(url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.status_code
    return session


def _fetch_config(agent: Agent) -> None:
    """What `minecheck run` does before each scan: fetch the settings into pushed_config.json."""
    code = (
        "from agent.cli import load_agent_state; from agent.runner.loop import "
        "fetch_pushed_config; fetch_pushed_config(load_agent_state(None))"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=ROOT,
        timeout=120,
        env=_env({"MINECHECK_HOME": str(agent.home)}),
    )


def test_regulator_sets_tipoff_agent_fetches_it_and_the_html_shows_it(collector, tmp_path):
    tag = secrets.token_hex(3)
    culture, cafe = f"e2e-culture-{tag}", f"e2e-cafe-{tag}"
    collector.cli("org", "add", culture, "--kind", "culture")
    collector.cli("org", "add", cafe, "--kind", "cafe", "--parent", culture)
    made = collector.cli("user", "add", f"wgl{tag}", "--role", "bureau_staff", "--org", culture)
    password = made.stdout.rsplit("password:", 1)[1].strip()
    ((org_id,),) = collector.query("SELECT id FROM ledger_organisation WHERE name = ?", culture)
    session = _login(collector.url, f"wgl{tag}", password)
    page_url = f"{collector.url}/orgs/{org_id}/report-contact/"
    form = session.get(page_url, timeout=30)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    saved = session.post(
        page_url,
        data={"report_phone": PHONE, "report_address": ADDRESS, "csrfmiddlewaretoken": token},
        headers={"Referer": page_url},
        allow_redirects=False,
        timeout=30,
    )
    assert saved.status_code == 302, saved.text[:500]

    pc = Agent(tmp_path / "cafe-pc")
    pc.run("enroll", "--server", collector.url, "--token", collector.token(cafe), check_rc=(0,))
    school = Agent(tmp_path / "school-pc")
    school.run("enroll", "--server", collector.url, "--token", collector.token(), check_rc=(0,))
    for agent in (pc, school):
        _fetch_config(agent)
    for lang, title in (("zh", "举报方式"), ("en", "Where to report mining")):
        html = tmp_path / f"cafe-{lang}.html"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "agent",
                "--lang",
                lang,
                "--home",
                str(pc.home),
                "scan",
                "--sample-seconds",
                "0",
                "--quiet",
                "--html",
                str(html),
            ],
            capture_output=True,
            text=True,
            env=_env(),
            cwd=ROOT,
            timeout=180,
        )
        assert done.returncode in (0, 1), done.stderr
        text = html.read_text(encoding="utf-8")
        block = text.split('data-testid="tipoff"', 1)[1].split("</section>", 1)[0]
        assert title in block and PHONE in block and ADDRESS in block
    other = tmp_path / "school.html"
    school.scan("--html", str(other))
    assert 'data-testid="tipoff"' not in other.read_text(encoding="utf-8")
