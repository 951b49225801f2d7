"""`minecheck run`: scan every N minutes (with random splay) in a supervised worker, upload,
and apply the settings the collector pushes before the next scan."""

from __future__ import annotations

import json
import logging
import os
import random
import threading
import time
from dataclasses import dataclass

from agent.config import ScheduleConfig
from agent.runner import background
from agent.runner.budget import Budget, WorkerResult, lower_priority, watch, worker_command
from agent.transport.agent_state import AgentState
from agent.transport.client import Outcome
from agent.transport.spool import atomic_write

log = logging.getLogger(__name__)
PUSHED_FILE = "pushed_config.json"
MAX_RESTARTS = 2


@dataclass
class Cycle:
    result: WorkerResult
    schedule: ScheduleConfig


def pushed_schedule(state: AgentState) -> ScheduleConfig:
    """The schedule from the config file, overridden by what the collector pushed last."""
    schedule = state.config.schedule
    try:
        pushed = json.loads((state.home / PUSHED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return schedule
    allowed = {k: v for k, v in pushed.items() if k in ScheduleConfig.model_fields}
    try:
        return ScheduleConfig.model_validate({**schedule.model_dump(), **allowed})
    except ValueError:
        log.warning("ignoring invalid pushed settings: %s", pushed)
        return schedule


def pushed_tipoff(home) -> dict[str, str]:
    """The 举报 phone and address the regulator pushed last ({} when none): for the report."""
    try:
        pushed = json.loads((home / PUSHED_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(pushed, dict):
        return {}
    found = {}
    for key, limit in (("report_phone", 50), ("report_address", 200)):
        value = pushed.get(key)
        if isinstance(value, str) and value.strip():
            found[key] = value.strip()[:limit]
    return found


def fetch_pushed_config(state: AgentState) -> None:
    """Store the collector's settings for the next cycle (keeps the old ones on failure)."""
    if not state.creds:
        return
    answer = state.client().config()
    if answer.outcome is Outcome.acked and isinstance(answer.body, dict):
        keys = {
            "scan_interval_minutes": "interval_minutes",
            "interval_minutes": "interval_minutes",
            "sample_seconds": "sample_seconds",
            "sampling_seconds": "sample_seconds",
            "deep_scan": "deep",
            "deep": "deep",
            # where to report mining, set by the regulator: shown in the HTML report
            "report_phone": "report_phone",
            "report_address": "report_address",
        }
        pushed = {keys[k]: v for k, v in answer.body.items() if k in keys}
        atomic_write(state.home / PUSHED_FILE, json.dumps(pushed).encode())


def update_signatures(state: AgentState) -> None:
    """Install a newer signed bundle before the scan; a failure keeps the bundle in use."""
    if not state.creds:
        return
    from agent.transport.bundle_update import update

    try:
        result = update(state)
    except Exception:  # never let an update problem stop the scan
        log.exception("signature update failed; keeping the bundle in use")
        return
    log.info("signature update: %s %s %s", result.status, result.version, result.message)


def scan_args(schedule: ScheduleConfig) -> list[str]:
    args = ["scan", "--upload", "--quiet", "--scheduled"]
    args += ["--sample-seconds", str(schedule.sample_seconds)]
    return [*args, "--deep"] if schedule.deep else args


def run_cycle(state: AgentState, budget: Budget) -> Cycle:
    """One supervised scan; a worker over budget is restarted (the last try without the CPU
    limit, so a slow machine still gets its report)."""
    fetch_pushed_config(state)
    update_signatures(state)
    schedule = pushed_schedule(state)
    cmd = worker_command(scan_args(schedule))
    result = watch(cmd, budget)
    restarts = 0
    while result.exceeded and restarts < MAX_RESTARTS:
        restarts += 1
        log.warning("scan worker exceeded its %s budget; restarting", result.exceeded)
        relaxed = (
            budget
            if restarts < MAX_RESTARTS
            else Budget(
                max_rss_mb=budget.max_rss_mb,
                max_cpu_share=1.0,
                timeout_seconds=budget.timeout_seconds,
            )
        )
        result = watch(cmd, relaxed)
    result.restarts = restarts
    return Cycle(result, schedule)


def next_delay(schedule: ScheduleConfig, rng: random.Random) -> float:
    return schedule.interval_minutes * 60 + rng.uniform(0, schedule.splay_minutes * 60)


def run_forever(state: AgentState, stop: threading.Event, budget: Budget | None = None) -> None:
    lower_priority()
    rng = random.Random()
    budget = budget or Budget()
    # First scan after a random splay so a lab booting at 8:00 does not report at once.
    first = rng.uniform(0, min(state.config.schedule.splay_minutes * 60, 300))
    if stop.wait(first):
        return
    while not stop.is_set():
        started = time.monotonic()
        cycle = run_cycle(state, budget)
        log.info("scan finished: %s", cycle.result)
        delay = next_delay(cycle.schedule, rng) - (time.monotonic() - started)
        if wait_sampling(state, stop, max(60.0, delay)):
            return


def wait_sampling(state: AgentState, stop: threading.Event, seconds: float) -> bool:
    """Wait for the next scan while sampling lightly; the result is left for that scan.
    True when asked to stop."""
    sampler = background.start_sampler({os.getpid()})
    try:
        stopped = stop.wait(seconds)
    finally:
        utilization = sampler.stop()
    if not stopped:
        background.save(state.home, utilization)
    return stopped
