"""Helpers shared by the benchmarks: machine description and writing docs/benchmarks.md.

Each benchmark owns one section of docs/benchmarks.md between the markers
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and rewrites only that section.
"""

from __future__ import annotations

import contextlib
import os
import platform
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BENCH_DOC = ROOT / "docs" / "benchmarks.md"


def machine_description() -> str:
    try:
        import cpuinfo

        brand = cpuinfo.get_cpu_info().get("brand_raw", platform.processor())
    except Exception:  # noqa: BLE001 - description only
        brand = platform.processor() or "unknown CPU"
    mem_gib = psutil.virtual_memory().total / 2**30
    return (
        f"{brand}, {os.cpu_count()} logical cores, {mem_gib:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def write_section(name: str, title: str, body: str) -> None:
    """Replace (or append) the section ``name`` of docs/benchmarks.md."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Measured {stamp} on: {machine_description()}\n\n{body.strip()}\n"
        f"<!-- /bench:{name} -->"
    )
    text = BENCH_DOC.read_text(encoding="utf-8") if BENCH_DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(
        rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S
    )
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    BENCH_DOC.write_text(text, encoding="utf-8")
    print(block)


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


@contextlib.contextmanager
def scratch_pg_database(pg_url: str):
    """A fresh PostgreSQL database for one benchmark, dropped afterwards; yields its URL, or
    None (after saying why) when PostgreSQL cannot be reached."""
    try:
        import psycopg

        name = f"minecheck_bench_{secrets.token_hex(4)}"
        with psycopg.connect(pg_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - report and carry on with SQLite
        print(f"PostgreSQL not available ({exc}); skipping it")
        yield None
        return
    scheme, rest = pg_url.split("://", 1)
    try:
        yield scheme + "://" + re.sub(r"/[^/?]*(\?|$)", f"/{name}\\1", rest, count=1)
    finally:
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
