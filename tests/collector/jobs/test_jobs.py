"""Background jobs through the real server: the embedded SQLite queue (consumer thread in
`run`), the Redis queue with a separate `minecheck-server worker`, failures and retries."""

from __future__ import annotations

import io
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time

import pytest
from openpyxl import load_workbook

from tests.collector.conftest import ROOT, start_server, stop_server
from tests.collector.web.test_dashboard_seed import post_form, seed_county

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture(scope="module")
def county(server):
    return seed_county(server)


def wait_finished(session, url: str, timeout: float = 60) -> str:
    """Poll the job page (as the browser's refresh does) until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = session.get(url, timeout=30)
        assert page.status_code == 200
        state = re.search(r'data-state="(\w+)"', page.text).group(1)
        if state in ("done", "failed"):
            return page.text
        assert 'http-equiv="refresh"' in page.text
        time.sleep(0.3)
    raise AssertionError(f"job at {url} did not finish: {page.text[-2000:]}")


def export_over_http(server_url: str, session, county) -> str:
    start = session.get(
        f"{server_url}/jobs/export.xlsx?org={county.bureau.pk}&verdict=mining",
        allow_redirects=False,
        timeout=30,
    )
    assert start.status_code == 302, start.text[:500]
    job_url = server_url + start.headers["Location"]
    page = wait_finished(session, job_url)
    link = re.search(r'class="download" href="([^"]+)"', page).group(1)
    file = session.get(server_url + link, timeout=30)
    assert file.status_code == 200
    assert "attachment" in file.headers["Content-Disposition"]
    rows = list(
        load_workbook(io.BytesIO(file.content), read_only=True)
        .worksheets[0]
        .iter_rows(values_only=True)
    )
    assert {r[2] for r in rows[1:]} == {d.hostname for d in county.devices_b}
    return link


def test_embedded_queue_exports_the_ledger(server, county):
    bureau = county.sessions["bureau"]
    link = export_over_http(server.base_url, bureau, county)
    # the school sees neither the bureau's job nor its file
    school = county.sessions["school_a"]
    assert school.get(server.url(link), timeout=30).status_code == 404
    assert school.get(server.url(link.replace("download/", "")), timeout=30).status_code == 404


def test_failed_job_says_why_and_retry_runs_it_again(server, county):
    from collector_server.jobs.models import Job

    job = Job.objects.using(server.alias).create(
        kind="ledger_export", organisation=county.bureau, state="failed", params={"format": "xlsx"}
    )
    bureau = county.sessions["bureau"]
    page_url = server.url(f"/jobs/{job.pk}/")
    retry = post_form(bureau, page_url, server.url(f"/jobs/{job.pk}/retry/"), {})
    assert retry.status_code == 302
    page = wait_finished(bureau, page_url)
    assert 'data-state="failed"' in page
    assert "the job has no owner" in page
    job.refresh_from_db()
    assert job.attempts == 1 and job.error.startswith("ValueError")


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis answers on 127.0.0.1:6379")
def test_redis_queue_with_separate_worker(server, django_dbs, county):
    info = django_dbs[server.alias]
    env = {
        "MINECHECK_REDIS_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/15",
        "MINECHECK_QUEUE_NAME": f"minecheck-test-{secrets.token_hex(4)}",
    }
    proc, url = start_server(info["data"], info["database_url"], extra_env=env)
    worker_env = {**os.environ, "MINECHECK_DATA": str(info["data"]), **env}
    worker_env.pop("DATABASE_URL", None)
    if info["database_url"]:
        worker_env["DATABASE_URL"] = info["database_url"]
    log = open(info["data"] / f"worker-{secrets.token_hex(3)}.log", "w+b")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "collector_server.cli", "worker", "--data", str(info["data"])],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=worker_env,
        cwd=ROOT,
    )
    try:
        # cookies are per host, not per port: the bureau's session works on this server too
        export_over_http(url, county.sessions["bureau"], county)
    finally:
        worker.terminate()
        worker.wait(15)
        stop_server(proc)
        import redis

        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=15)
        for key in client.scan_iter(f"*{env['MINECHECK_QUEUE_NAME']}*"):
            client.delete(key)


def _spawn_slow_worker(data, *args) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "MINECHECK_DATA": str(data)}
    for name in ("DATABASE_URL", "MINECHECK_REDIS_URL"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.collector.jobs.jobs_slow_worker", str(data), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=ROOT,
        text=True,
    )
    line = proc.stdout.readline()
    match = re.match(r"job (\d+)", line)
    assert match, line + proc.stdout.read()
    return proc, int(match.group(1))


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_killed_worker_leaves_no_partial_file_and_retry_finishes(tmp_path):
    data = tmp_path / "data"
    proc, job_id = _spawn_slow_worker(data, "start")
    folder = data / "jobs" / str(job_id)
    try:
        _wait_for(lambda: any(p.stat().st_size >= 6000 for p in folder.glob(".part-*")))
    finally:
        proc.kill()  # SIGKILL mid-job
        proc.wait(10)
    assert not (folder / "slow.bin").exists()
    proc, same = _spawn_slow_worker(data, "retry", str(job_id))
    try:
        assert same == job_id
        _wait_for(lambda: _job_row(data, job_id)[0] == "done")
    finally:
        proc.kill()
        proc.wait(10)
    assert (folder / "slow.bin").read_bytes() == b"x" * 10000
    assert not list(folder.glob(".part-*"))
    assert _job_row(data, job_id) == ("done", 2)


def _job_row(data, job_id: int) -> tuple[str, int]:
    with sqlite3.connect(data / "minecheck.sqlite3", timeout=30) as db:
        return db.execute("SELECT state, attempts FROM jobs_job WHERE id = ?", (job_id,)).fetchone()


def test_stale_sweep_job_lists_silent_devices_in_scope(server, county):
    from datetime import timedelta

    from django.utils import timezone

    silent = county.devices_a[0]
    server.devices().filter(pk=silent.pk).update(last_seen=timezone.now() - timedelta(days=30))
    school = county.sessions["school_a"]
    start = post_form(school, server.url("/ledger/"), server.url("/jobs/stale-sweep/"), {})
    assert start.status_code == 302
    page = wait_finished(school, server.url(start.headers["Location"]))
    link = re.search(r'class="download" href="([^"]+)"', page).group(1)
    text = school.get(server.url(link), timeout=30).content.decode("utf-8-sig")
    assert silent.hostname in text
    assert all(d.hostname not in text for d in county.devices_b)
