"""`make run`: start the collector on SQLite at a loopback address with a demo bureau and
school, scan this machine once, enroll and upload the report through the real API, print the
dashboard address and logins, then keep serving until Ctrl-C (RUN_DETACH=1: leave it running
in the background and exit).

    python build/demo_upload.py --data .run/data [--host 127.0.0.1] [--port 8765]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
from collector_server import runinfo  # noqa: E402


def server_cli(data: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "collector_server.cli", *args],
        env={**os.environ, "MINECHECK_DATA": str(data)},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"minecheck-server {' '.join(args)} failed:\n{done.stderr}{done.stdout}")
    return done.stdout


def free_port(host: str, wanted: int) -> int:
    """``wanted`` if nobody listens there, else 0 (the system picks a free port)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        try:
            s.bind((host, wanted))
        except OSError:
            return 0
    return wanted


def start_server(data: Path, host: str, port: int, log: Path) -> tuple[subprocess.Popen, str]:
    out = open(log, "wb")  # noqa: SIM115 - owned by the child process
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "collector_server.cli",
            "run",
            "--data",
            str(data),
            "--host",
            host,
            "--port",
            str(port),
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
        env={**os.environ, "MINECHECK_DATA": str(data), "PYTHONUNBUFFERED": "1"},
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r"listening on (http://\S+?)/?\s", log.read_text(errors="replace"))
        if match:
            return proc, match.group(1).rstrip("/")
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"the collector did not start; see {log}:\n{log.read_text(errors='replace')}")


def scan(json_path: Path, html_path: Path) -> dict | None:
    """One agent scan of this machine; None when the agent cannot produce a report."""
    cmd = [
        str(BIN / "minecheck"),
        "scan",
        "--sample-seconds",
        "5",
        "--json",
        str(json_path),
        "--html",
        str(html_path),
    ]
    print("scanning this machine:", " ".join(cmd), flush=True)
    json_path.unlink(missing_ok=True)
    done = subprocess.run(cmd, cwd=ROOT)
    if not json_path.exists():
        print(f"the scan did not produce a report (exit code {done.returncode})")
        return None
    if done.returncode == 2:  # incomplete: uploaded all the same, counted as "not checked"
        print("the scan is incomplete (see above); its report is uploaded as 'not checked'")
    return json.loads(json_path.read_text(encoding="utf-8"))


def enroll_and_upload(base: str, token: str, report: dict) -> dict:
    enroll = requests.post(
        f"{base}/api/v1/enroll",
        timeout=30,
        json={
            "enrollment_token": token,
            "device": report["device"],
            "ledger": {"location": "演示机房", "department": "信息中心"},
        },
    )
    if enroll.status_code not in (200, 201):
        sys.exit(f"enroll failed: {enroll.status_code} {enroll.text}")
    device_token = enroll.json()["device_token"]
    upload = requests.post(
        f"{base}/api/v1/reports",
        timeout=60,
        json=report,
        headers={"Authorization": f"Bearer {device_token}"},
    )
    if upload.status_code not in (200, 201):
        sys.exit(f"upload failed: {upload.status_code} {upload.text}")
    return upload.json()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=".run/data")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    data = Path(args.data).resolve()
    run_dir = data.parent
    run_dir.mkdir(parents=True, exist_ok=True)
    logins_file = run_dir / "demo-logins.txt"
    live = runinfo.running(data)
    if live:
        # A second server on the same data would take another port and reset the demo.
        print(
            f"the collector is already running on {data} (pid {live[0]['pid']}); "
            "nothing was started or reset."
        )
        print(f"dashboard: {live[0]['url']}")
        if logins_file.exists():
            print(logins_file.read_text(encoding="utf-8").strip())
        print(f"stop it with: kill {live[0]['pid']}")
        return 0

    print(server_cli(data, "init", "--data", str(data), "--bureau", "示范县教育局").strip())
    demo = server_cli(data, "demo", "--data", str(data), "--bureau", "示范县教育局")
    token = re.search(r"enrollment token: (\S+)", demo).group(1)
    logins = re.findall(r"user: (\S+) / (\S+)\s+\((\w+)", demo)

    proc, base = start_server(
        data, args.host, free_port(args.host, args.port), run_dir / "server.log"
    )
    try:
        report = scan(run_dir / "report.json", run_dir / "report.html")
        if report is None:
            print("nothing uploaded: fix the scan above and run `make run` again")
        else:
            answer = enroll_and_upload(base, token, report)
            print(
                f"uploaded report {answer['report_id']} (verdict {answer['verdict']}, "
                f"{answer['findings']} findings) as device {answer['device_id']}"
            )
    except BaseException:
        os.killpg(proc.pid, signal.SIGTERM)
        raise

    print()
    print(f"dashboard: {base}/")
    lines = [f"login: {username} / {password}  ({role})" for username, password, role in logins]
    logins_file.touch(mode=0o600)
    logins_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"agent API: {base}/api/v1/docs   server log: {run_dir / 'server.log'}")
    if os.environ.get("RUN_DETACH") == "1":
        (run_dir / "server.pid").write_text(str(proc.pid))
        print(
            f"server left running in the background (pid {proc.pid}); stop it with: kill {proc.pid}"
        )
        return 0
    print("serving; press Ctrl-C to stop", flush=True)
    try:
        proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
