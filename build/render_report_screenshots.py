"""Render the report screenshots of the café owner's guide (docs/img/report-*.png).

    python build/render_report_screenshots.py

Two reports, each rendered by the product's own HTML renderer in Chinese and English and
photographed by headless chromium:

- a clean report: a real scan of this machine with no findings kept (this build machine's
  own sandbox processes would otherwise show up);
- a mining report: a real scan while the test fixture miner (tests/fixtures/miners, a
  miner-like process that logs into a stratum pool on 127.0.0.1) runs from a Downloads
  folder as ``xmrig`` with its config.json, as a café customer would start it. Only the
  findings about that process are kept, and the verdict is decided again from them.

The host name is replaced by an example name. Nothing leaves this machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

IMG = ROOT / "docs" / "img"
EXAMPLE_HOST = "CAFE-PC-07"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def scan(seconds: float) -> dict:
    """A real scan of this machine (JSON), from source."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "agent",
            "scan",
            "--sample-seconds",
            str(seconds),
            "--json",
            "-",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def scan_with_fixture_miner(work: Path) -> tuple[dict, int]:
    from tests.fixtures.miners import launch
    from tests.fixtures.miners.pool import StratumPool

    folder = work / "Downloads" / "xmrig-6.21.0"
    exe = launch.copy_interpreter(folder / "xmrig")
    shutil.copy2(launch.FAKE_MINER, folder / "xmrig.py")
    with StratumPool() as pool:
        (folder / "config.json").write_text(
            json.dumps(
                {
                    "autosave": True,
                    "cpu": True,
                    "pools": [
                        {"url": f"127.0.0.1:{pool.port}", "user": launch.WALLET, "pass": "x"}
                    ],
                }
            )
        )
        miner = launch.spawn([exe, "xmrig.py"], cwd=folder, env={"FAKE_MINER_THROTTLE": "0.6"})
        try:
            launch.wait_logged_in(pool)
            return scan(5), miner.pid
        finally:
            launch.stop(miner)


def as_example(data: dict, keep_pid: int | None) -> dict:
    """Keep only the findings about ``keep_pid`` (none for the clean report) and decide the
    verdict again from them; replace the host name."""
    from agent.detect.verdict import decide
    from agent.wire.report import Finding

    findings = [f for f in data["findings"] if keep_pid and f["subject"].get("pid") == keep_pid]
    data["findings"] = findings
    data["verdict"] = json.loads(
        decide([Finding.model_validate(f) for f in findings]).model_dump_json()
    )
    real_host = data["device"].get("hostname") or ""
    text = json.dumps(data, ensure_ascii=False)
    if real_host:
        text = text.replace(json.dumps(real_host)[1:-1], EXAMPLE_HOST)
    return json.loads(text)


def render(data: dict, lang: str, name: str, work: Path) -> Path:
    from agent.report.html import render_html
    from agent.wire.report import Report

    html = work / f"{name}.html"
    html.write_text(render_html(Report.model_validate(data), lang), encoding="utf-8")
    png = IMG / f"{name}.png"
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if not browser:
        raise SystemExit("chromium is needed: apt-get install -y chromium")
    subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--screenshot={png}", "--window-size=1100,1700", html.as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"wrote {png.relative_to(ROOT)}")
    return png


def main() -> int:
    IMG.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        tempfile.TemporaryDirectory(prefix="minecheck-guide-", dir=Path.home()) as user_folder,
    ):
        work = Path(tmp)
        clean = as_example(scan(5), None)
        # In a user's folder, not a temporary one: a customer-started (active) miner.
        mining_raw, pid = scan_with_fixture_miner(Path(user_folder))
        mining = as_example(mining_raw, pid)
        if mining["verdict"]["status"] != "mining":
            raise SystemExit(f"the fixture miner was not found: {mining['verdict']}")
        for lang in ("zh", "en"):
            render(clean, lang, f"report-{lang}", work)
            render(mining, lang, f"report-mining-{lang}", work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
