"""Where an upload's CPU goes: cProfile of POST /api/v1/reports in-process (Django test client,
the real view, real gzip bodies), on SQLite and on PostgreSQL.

Run: `python tests/bench/run.py ingest_profile`. Each backend runs in its own process (Django
is configured once per process); that process prints its figures as JSON.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REPORTS = int(os.environ.get("BENCH_PROFILE_REPORTS", "400"))
WARMUP = 50
DEVICES = 20
TOP = 14
PG_URL = os.environ.get(
    "MINECHECK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/minecheck_test"
)


def _child(backend: str, database_url: str | None) -> dict:
    """In the child process: configure Django, enroll devices, profile the uploads."""
    data = Path(tempfile.mkdtemp(prefix=f"bench-profile-{backend}-"))
    os.environ["MINECHECK_DATA"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "collector_server.settings"
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from collector_server.ledger.models import EnrollmentToken, Organisation
    from tests.collector.factories import make_identity, make_report, report_gzip

    call_command("migrate", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="基准学校-profile", kind="school")
    _, token = EnrollmentToken.issue(org)
    client = Client()
    devices = []
    for i in range(DEVICES):
        identity = make_identity(f"profile-{backend}-{i}")
        answer = client.post(
            "/api/v1/enroll",
            data=json.dumps(
                {"enrollment_token": token, "device": identity.model_dump(mode="json")}
            ),
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        devices.append((identity, answer.json()["device_token"]))
    bodies = []
    for n in range(WARMUP + REPORTS):
        identity, dtoken = devices[n % DEVICES]
        report = make_report(identity, seed=n, findings=3 if n % 4 == 0 else 0, processes=120)
        bodies.append((dtoken, report_gzip(report)))

    def upload(dtoken: str, body: bytes) -> None:
        answer = client.generic(
            "POST",
            "/api/v1/reports",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {dtoken}",
            HTTP_CONTENT_ENCODING="gzip",
        )
        assert answer.status_code == 201, answer.content

    for dtoken, body in bodies[:WARMUP]:
        upload(dtoken, body)
    measured = bodies[WARMUP:]
    cpu0 = time.process_time()
    profiler = cProfile.Profile()
    cpu0 = time.process_time()
    profiler.enable()
    for dtoken, body in measured:
        upload(dtoken, body)
    profiler.disable()
    cpu_ms_profiled = (time.process_time() - cpu0) / len(measured) * 1000
    # the same number again without the profiler: the real CPU per report
    more = []
    for n in range(len(measured)):
        identity, dtoken = devices[n % DEVICES]
        report = make_report(
            identity, seed=100_000 + n, findings=3 if n % 4 == 0 else 0, processes=120
        )
        more.append((dtoken, report_gzip(report)))
    cpu0 = time.process_time()
    for dtoken, body in more:
        upload(dtoken, body)
    cpu_ms = (time.process_time() - cpu0) / len(more) * 1000
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative")
    rows = []
    total = stats.total_tt
    for func, (_cc, nc, tt, ct, _callers) in sorted(
        stats.stats.items(), key=lambda kv: kv[1][3], reverse=True
    ):
        filename, line, name = func
        where = _short(filename, line, name)
        if where is None:
            continue
        rows.append(
            [
                where,
                nc,
                round(tt / len(measured) * 1000, 2),
                round(ct / len(measured) * 1000, 2),
                round(ct / total * 100),
            ]
        )
    tottime = sorted(
        ((func, v) for func, v in stats.stats.items()), key=lambda kv: kv[1][2], reverse=True
    )
    self_rows = []
    for func, (_cc, nc, tt, _ct, _callers) in tottime[:TOP]:
        where = _short(*func) or f"{func[2]}"
        self_rows.append([where, nc, round(tt / len(measured) * 1000, 3), round(tt / total * 100)])
    return {
        "backend": backend,
        "reports": len(measured),
        "cpu_ms": cpu_ms,
        "cpu_ms_profiled": cpu_ms_profiled,
        "cumulative": _pick(rows),
        "self": self_rows,
    }


def _short(filename: str, line: int, name: str) -> str | None:
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", str(ROOT) + "/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        if filename.startswith("~") or filename.startswith("<"):
            return f"{name}"
        path = Path(path).name
    return f"`{path}:{line} {name}`"


def _pick(rows: list[list]) -> list[list]:
    """The cumulative table's informative lines: the project's own code and the big library
    steps (skip the test client's and profiler's wrappers)."""
    keep = []
    for row in rows:
        text = row[0]
        if any(s in text for s in ("django/test/", "bench_ingest_profile", "cProfile")):
            continue
        keep.append(row)
        if len(keep) >= 22:
            break
    return keep


def main() -> None:
    from tests.bench._common import markdown_table, scratch_pg_database, write_section

    load = os.getloadavg()[0]
    results = [_run_child("SQLite", None)]
    with scratch_pg_database(PG_URL) as url:
        if url:
            results.append(_run_child("PostgreSQL", url))
    parts = [
        f"cProfile of {results[0]['reports']} uploads through the real view in one process "
        f"(Django test client, gzip bodies as in the ingest benchmark: inventory, 120 top "
        f"processes, 3 findings in every 4th; {WARMUP} warm-up uploads not profiled). "
        "*CPU ms/report* is measured again without the profiler on as many further uploads "
        "(the benchmark process's CPU; for PostgreSQL the database server's CPU is not "
        "included). Times below are ms per upload; share is of the profiled total.",
    ]
    for r in results:
        parts.append(
            f"### {r['backend']}: {r['cpu_ms']:.2f} CPU ms/report "
            f"({r['cpu_ms_profiled']:.2f} with the profiler on)\n\n"
            "Cumulative (a function with everything it calls):\n\n"
            + markdown_table(
                ["function", "calls", "own ms", "cumulative ms", "share %"], r["cumulative"]
            )
            + "\n\nOwn time (the function's body only):\n\n"
            + markdown_table(["function", "calls", "own ms", "share %"], r["self"])
        )
    parts.append(
        f"Load average (1 min) of the shared machine: {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after."
    )
    write_section(
        "ingest_profile", "Collector: where an upload's CPU goes (profile)", "\n\n".join(parts)
    )


def _run_child(backend: str, database_url: str | None) -> dict:
    env = {**os.environ}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.bench_ingest_profile",
            "--child",
            backend,
            database_url or "",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"profile of {backend} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2], sys.argv[3] or None)))
    else:
        main()
