"""Retention at size on PostgreSQL: thinning a month-plus of old reports of many devices
(rows generated directly), its time and the table size before and after; the figure that
decides whether partitioning the reports table by month would help.

Run: `python tests/bench/run.py prune`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEVICES = int(os.environ.get("BENCH_PRUNE_DEVICES", "1000"))
OLD_DAYS = int(os.environ.get("BENCH_PRUNE_OLD_DAYS", "30"))
PER_DAY = 4  # a scan every 6 hours
RECENT_DAYS = 10
PG_URL = os.environ.get(
    "MINECHECK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/minecheck_test"
)


def _child(database_url: str) -> dict:
    os.environ["MINECHECK_DATA"] = tempfile.mkdtemp(prefix="bench-prune-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "collector_server.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from collector_server.ledger.models import Device, Organisation
    from collector_server.reports.models import Report
    from collector_server.reports.prune import prune_reports

    call_command("migrate", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="基准学校-prune", kind="school")
    Device.objects.bulk_create(
        [
            Device(
                fingerprint=f"prune-{i}",
                hostname=f"pc-{i}",
                organisation=org,
                macs=[],
                mac_key="",
                ip_addresses=[],
                network_text="",
                last_verdict="clean",
            )
            for i in range(DEVICES)
        ],
        batch_size=1000,
    )
    raw = os.urandom(7 * 1024)  # as large as a real gzip report (does not compress further)
    now = timezone.now()
    started = time.perf_counter()
    with connection.cursor() as cur:
        # every device: PER_DAY reports a day for OLD_DAYS + RECENT_DAYS days, 1 in 20 with a
        # finding count (what thinning must keep)
        cur.execute(
            """
            INSERT INTO ingest_report (report_id, device_id, received_at, started_at, verdict,
                mode, schema_version, agent_version, signature_version, finding_count,
                source, raw, raw_size, response_status, response_body)
            SELECT gen_random_uuid(), d.id, t, t, 'clean', '', 1, '1.0', '1',
                   CASE WHEN random() < 0.05 THEN 1 ELSE 0 END, 'upload', %s, 40000, 201, '{}'
            FROM ledger_device d,
                 generate_series(%s::timestamptz - make_interval(days => %s),
                                 %s::timestamptz - interval '1 hour',
                                 make_interval(hours => %s)) AS t
            """,
            [raw, now, OLD_DAYS + RECENT_DAYS, now, 24 // PER_DAY],
        )
        cur.execute("ANALYZE ingest_report")
        cur.execute("SELECT pg_total_relation_size('ingest_report')")
        size_before = cur.fetchone()[0]
    seed_s = time.perf_counter() - started
    total = Report.objects.count()
    started = time.perf_counter()
    dry = prune_reports(dry_run=True, now=now, days=RECENT_DAYS)
    dry_s = time.perf_counter() - started
    started = time.perf_counter()
    done = prune_reports(now=now, days=RECENT_DAYS)
    prune_s = time.perf_counter() - started
    started = time.perf_counter()
    again = prune_reports(now=now, days=RECENT_DAYS)
    again_s = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("SELECT pg_total_relation_size('ingest_report')")
        size_after = cur.fetchone()[0]
    return {
        "devices": DEVICES,
        "rows": total,
        "old": done.old,
        "deleted": done.deleted,
        "dry_deleted": dry.deleted,
        "again_deleted": again.deleted,
        "seed_s": seed_s,
        "dry_s": dry_s,
        "prune_s": prune_s,
        "again_s": again_s,
        "size_before_mb": size_before / 2**20,
        "size_after_mb": size_after / 2**20,
    }


def main() -> None:
    from tests.bench._common import markdown_table, scratch_pg_database, write_section

    load = os.getloadavg()[0]
    with scratch_pg_database(PG_URL) as url:
        if not url:
            print("PostgreSQL not available: prune benchmark skipped")
            return
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_prune", "--child", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-4000:])
    r = json.loads(done.stdout.strip().splitlines()[-1])
    rate = r["deleted"] / r["prune_s"] if r["prune_s"] else 0
    body = (
        f"PostgreSQL, {r['devices']:,} devices with a report every {24 // PER_DAY} h for "
        f"{OLD_DAYS + RECENT_DAYS} days ({r['rows']:,} rows, ~7 KB compressed raw each, 1 in 20 "
        f"with findings), generated directly; retention {RECENT_DAYS} days, so {OLD_DAYS} days "
        "are thinned (`reports.prune.prune_reports`, one UTC day at a time, batches of 2,000).\n\n"
        + markdown_table(
            ["step", "seconds", "reports"],
            [
                ["seed rows (SQL)", f"{r['seed_s']:.1f}", f"{r['rows']:,}"],
                ["dry run (count)", f"{r['dry_s']:.1f}", f"{r['dry_deleted']:,} would go"],
                [
                    "thin",
                    f"{r['prune_s']:.1f}",
                    f"{r['deleted']:,} deleted of {r['old']:,} old ({rate:,.0f}/s)",
                ],
                ["thin again (idempotent)", f"{r['again_s']:.1f}", f"{r['again_deleted']:,}"],
            ],
        )
        + f"\n\nTable with indexes and TOAST: {r['size_before_mb']:.0f} MB before, "
        f"{r['size_after_mb']:.0f} MB right after (PostgreSQL reuses the freed space after "
        "autovacuum; it does not shrink the file)."
        f"\n\nLoad average (1 min) of the shared machine: {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after."
    )
    write_section("prune", "Collector: report retention (thinning) at size", body)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(_child(sys.argv[2])))
    else:
        main()
