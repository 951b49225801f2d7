"""The huey queue's settings: SQLite in the data folder by default, Redis when
MINECHECK_REDIS_URL is set (several workers, a province). Imported by settings.py."""

from __future__ import annotations

import os
from pathlib import Path


def huey_settings(data_dir: Path) -> dict:
    """The HUEY setting for huey.contrib.djhuey."""
    name = os.environ.get("MINECHECK_QUEUE_NAME", "minecheck")
    immediate = os.environ.get("MINECHECK_JOBS_IMMEDIATE", "") == "1"
    redis_url = os.environ.get("MINECHECK_REDIS_URL", "").strip()
    common = {"name": name, "immediate": immediate, "results": False, "utc": True}
    if redis_url:
        return {**common, "huey_class": "huey.RedisHuey", "connection": {"url": redis_url}}
    return {
        **common,
        "huey_class": "huey.SqliteHuey",
        "filename": str(data_dir / "jobs-queue.sqlite3"),
    }


def embedded_consumer_wanted() -> bool:
    """`run` starts a consumer thread unless workers are separate (Redis) or turned off."""
    mode = os.environ.get("MINECHECK_JOBS_WORKER", "").strip().lower()
    if mode in {"embedded", "thread"}:
        return True
    if mode in {"external", "none", "off"}:
        return False
    return not os.environ.get("MINECHECK_REDIS_URL", "").strip()
