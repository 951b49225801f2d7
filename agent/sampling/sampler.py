"""Sustained-utilization sampler: whole-system CPU, CPU-seconds per process, GPU, cross-view.

Cheap by design: whole-system CPU (and GPU) is read every ``interval`` seconds; every
process's CPU times only every ``process_interval`` seconds (one small read per process),
stretched further when one such scan costs more than PROCESS_SCAN_CPU_BUDGET allows.
CPU-seconds are integrated per process from those readings, so a miner throttled to a
quarter of one core stands out as clearly as one at 100 %.

The cross-view check compares the whole system's busy CPU time with the sum over every
process the sampler can see (kernel threads included; processes that exited during the
window are counted from their last reading or, once reaped, through their parent's
children-times). A miner hidden from the process list (``ld.so.preload``, rootkits) shows
up as ``invisible_cpu_seconds``. On Linux irq/softirq time is left out of the busy side,
so the check errs towards zero, never towards a false alarm.

Usage: ``UtilizationSampler().sample_for(30)`` or ``start()`` ... ``stop()`` (background).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

from agent.report.sanitize import printable_or_none
from agent.sampling.proctimes import ProcTimes, ProcTimesReader
from agent.wire.report import GPUUtilization, ProcessUsage, Stat, Utilization

log = logging.getLogger(__name__)

MAX_SERIES_POINTS = 3600  # bounded memory when used as a continuous background sampler
MAX_CMDLINE_CHARS = 4096
MAX_TRACKS = 5000  # processes remembered in one window before idle exited ones are dropped
PROCESS_SCAN_CPU_BUDGET = 0.0025  # periodic per-process scans: at most 0.25 % of one core

SampleProgress = Callable[[float, float], None]
"""progress(elapsed_seconds, window_seconds)"""


def stat_of(values: Iterable[float], avg: float | None = None) -> Stat | None:
    """avg / p95 (nearest rank) / max of ``values``; None when there are none."""
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return None
    rank = max(0, math.ceil(0.95 * len(data)) - 1)
    mean = sum(data) / len(data) if avg is None else avg
    return Stat(avg=round(mean, 2), p95=round(data[rank], 2), max=round(data[-1], 2))


def _busy_seconds(times: object) -> float:
    """CPU seconds spent running processes: user + nice + system.

    Linux keeps irq/softirq/steal/iowait apart already; Windows counts interrupt and DPC
    time inside system time, and no process is charged for it, so it is taken out.
    """
    busy = sum(float(getattr(times, name, 0.0)) for name in ("user", "nice", "system"))
    return busy - sum(float(getattr(times, name, 0.0)) for name in ("interrupt", "dpc"))


def _total_seconds(times: object) -> float:
    fields = getattr(times, "_fields", ())
    total = sum(float(getattr(times, name)) for name in fields)
    # Linux: guest time is already contained in user/nice; Windows: interrupt and DPC
    # time is already contained in system time.
    for name in ("guest", "guest_nice", "interrupt", "dpc"):
        total -= float(getattr(times, name, 0.0))
    return total


@dataclass
class _Track:
    """What the sampler knows about one process (pid + creation time) during the window."""

    pid: int
    created: float
    name: str
    ppid: int
    base_cpu: float
    base_children: float
    last_cpu: float
    last_children: float
    in_baseline: bool
    started_in_window: bool
    alive: bool = True

    @property
    def cpu_delta(self) -> float:
        return max(0.0, self.last_cpu - self.base_cpu)

    @property
    def children_delta(self) -> float:
        return max(0.0, self.last_children - self.base_children)


@dataclass
class _GpuSeries:
    index: int
    uuid: str | None
    name: str | None
    util: deque = field(default_factory=lambda: deque(maxlen=MAX_SERIES_POINTS))
    mem: deque = field(default_factory=lambda: deque(maxlen=MAX_SERIES_POINTS))
    power: deque = field(default_factory=lambda: deque(maxlen=MAX_SERIES_POINTS))


class UtilizationSampler:
    """Samples utilization between :meth:`start` and :meth:`stop` in a background thread."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        process_interval: float = 3.0,
        gpu: object | None = None,
        own_pids: Iterable[int] = (),
        top_n: int = 10,
        reader: ProcTimesReader | None = None,
        idle_probe: Callable[[], float | None] | None = None,
        process_scan_budget: float = PROCESS_SCAN_CPU_BUDGET,
    ) -> None:
        self.interval = interval
        self.process_interval = max(process_interval, interval)
        self.gpu = gpu
        self.own_pids = set(own_pids)
        self.top_n = top_n
        self.reader = reader or ProcTimesReader()
        self.idle_probe = idle_probe
        self.process_scan_budget = process_scan_budget
        self.errors: list[str] = []  # technical problems met while sampling (GPU errors ...)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._tracks: dict[tuple[int, float], _Track] = {}
        self._cpu_series: deque[float] = deque(maxlen=MAX_SERIES_POINTS)
        self._gpus: dict[int, _GpuSeries] = {}
        self._gpu_procs: dict[int, dict[str, list[float]]] = {}
        self._started_mono = 0.0
        self._started_wall = 0.0
        self._stopped_mono: float | None = None
        self._sys_first = None
        self._sys_last = None
        self._last_process_scan = 0.0
        self.unreadable_processes = 0  # most processes whose CPU times could not be read
        self._effective_process_interval = self.process_interval

    # --- control ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Take the baseline and start sampling in a daemon thread."""
        if self.running:
            raise RuntimeError("sampler already running")
        self._stop.clear()
        self._started_wall = time.time()
        self._started_mono = time.monotonic()
        self._stopped_mono = None
        self._cpu_series.clear()
        self._gpus.clear()
        self._gpu_procs.clear()
        self.errors.clear()
        self._sys_first = self._sys_last = psutil.cpu_times()
        self._scan_processes(baseline=True)
        self._sample_gpu(with_processes=True)
        self._thread = threading.Thread(target=self._loop, name="minecheck-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> Utilization:
        """Stop sampling, take the final readings and return the result."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._tick_system()
            self._scan_processes(baseline=False)
            self._stopped_mono = time.monotonic()
        return self.result()

    def sample_for(
        self,
        seconds: float,
        progress: SampleProgress | None = None,
        cancel: threading.Event | None = None,
    ) -> Utilization:
        """Sample for ``seconds`` (fewer when ``cancel`` is set); the thread is always stopped."""
        self.start()
        try:
            deadline = self._started_mono + seconds
            while True:
                now = time.monotonic()
                if progress is not None:
                    progress(min(now - self._started_mono, seconds), seconds)
                remaining = deadline - now
                if remaining <= 0:
                    break
                step = min(1.0, remaining)
                if cancel is not None:
                    if cancel.wait(step):
                        break
                else:
                    time.sleep(step)
        finally:
            result = self.stop()
        return result

    # --- background loop ------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                try:
                    self._tick_system()
                    now = time.monotonic()
                    due = self._effective_process_interval - 0.05
                    scan = now - self._last_process_scan >= due
                    self._sample_gpu(with_processes=scan)
                    if scan:
                        self._scan_processes(baseline=False)
                except Exception as exc:
                    log.debug("sampler tick failed", exc_info=True)
                    self._note_error(f"sampler: {type(exc).__name__}: {exc}")

    def _note_error(self, text: str) -> None:
        if text not in self.errors:
            self.errors.append(text)

    def _tick_system(self) -> None:
        now = psutil.cpu_times()
        prev = self._sys_last
        self._sys_last = now
        if prev is None:
            return
        total = _total_seconds(now) - _total_seconds(prev)
        if total <= 0:
            return
        busy = _busy_seconds(now) - _busy_seconds(prev)
        self._cpu_series.append(round(min(100.0, max(0.0, busy / total * 100.0)), 1))

    def _sample_gpu(self, with_processes: bool) -> None:
        gpu = self.gpu
        if gpu is None or not getattr(gpu, "available", False):
            return
        try:
            rows = gpu.sample()
        except Exception as exc:  # noqa: BLE001 - NVML errors must not end the sampling
            self._note_error(f"gpu: {type(exc).__name__}: {exc}")
            return
        for row in rows:
            series = self._gpus.get(row.index)
            if series is None:
                series = self._gpus[row.index] = _GpuSeries(row.index, row.uuid, row.name)
            if row.utilization_percent is not None:
                series.util.append(float(row.utilization_percent))
            if row.memory_used_mb is not None:
                series.mem.append(float(row.memory_used_mb))
            if row.power_w is not None:
                series.power.append(float(row.power_w))
        if not with_processes:
            return
        try:
            uses = gpu.process_usage()
        except Exception as exc:  # noqa: BLE001
            self._note_error(f"gpu processes: {type(exc).__name__}: {exc}")
            return
        for pid, use in uses.items():
            slot = self._gpu_procs.setdefault(pid, {"mem": [], "util": []})
            if use.memory_used_mb is not None:
                slot["mem"].append(float(use.memory_used_mb))
            if use.utilization_percent is not None:
                slot["util"].append(float(use.utilization_percent))

    def _scan_processes(self, baseline: bool) -> None:
        self._last_process_scan = time.monotonic()
        spent = time.thread_time()
        readings = self.reader.read_all()
        denied = getattr(self.reader, "denied", 0)
        self.unreadable_processes = denied if baseline else max(self.unreadable_processes, denied)
        self._track_readings(readings, baseline)
        spent = time.thread_time() - spent
        # Keep the periodic scans within their CPU budget on machines with many processes.
        self._effective_process_interval = max(
            self.process_interval, spent / self.process_scan_budget
        )

    def _track_readings(self, readings: dict[int, ProcTimes], baseline: bool) -> None:
        if baseline:
            self._tracks.clear()
        seen: set[tuple[int, float]] = set()
        for pt in readings.values():
            key = (pt.pid, pt.created)
            seen.add(key)
            track = self._tracks.get(key)
            if track is None:
                self._tracks[key] = self._new_track(pt, baseline)
            else:
                track.last_cpu, track.last_children = pt.cpu, pt.children
                track.ppid, track.alive = pt.ppid, True
        for key, track in self._tracks.items():
            if key not in seen:
                track.alive = False
        if len(self._tracks) > MAX_TRACKS:
            self._prune()

    def _prune(self) -> None:
        """Long background windows: forget exited short-lived processes that used ~no CPU
        (they weigh nothing in the top list or the cross-view)."""
        for key in [
            k
            for k, t in self._tracks.items()
            if not t.alive and t.started_in_window and t.cpu_delta + t.children_delta < 0.05
        ]:
            del self._tracks[key]

    def _new_track(self, pt: ProcTimes, baseline: bool) -> _Track:
        # A process first seen after the baseline and created after the window began ran
        # entirely inside the window: all its CPU time counts.
        fresh = not baseline and pt.created >= self._started_wall - 1.0
        return _Track(
            pid=pt.pid,
            created=pt.created,
            name=pt.name,
            ppid=pt.ppid,
            base_cpu=0.0 if fresh else pt.cpu,
            base_children=0.0 if fresh else pt.children,
            last_cpu=pt.cpu,
            last_children=pt.children,
            in_baseline=baseline,
            started_in_window=fresh,
        )

    # --- result ---------------------------------------------------------------------------

    @property
    def cross_view_reliable(self) -> bool:
        """False when some processes could not be read (no admin/root): their CPU time would
        look hidden, so the cross-view figure is left out."""
        return self.unreadable_processes == 0 and not getattr(self.reader, "list_restricted", False)

    def window_seconds(self) -> float:
        end = self._stopped_mono if self._stopped_mono is not None else time.monotonic()
        return max(0.0, end - self._started_mono)

    def cross_view(self) -> tuple[float, float]:
        """(busy CPU-seconds of the system, CPU-seconds of every visible process).

        Two estimates of the visible side, the larger one is used (a larger visible side can
        only hide a gap, never invent one):
        - folded: live processes' own time plus what they reaped from their children (a
          process that exits ends up in some live ancestor's children-times, init's at
          least), less the part of the exited processes' lives that lay before the window;
        - direct: live processes' own time plus the exited ones' last readings (catches
          children auto-reaped by a parent ignoring SIGCHLD, which are folded nowhere).
        """
        if self._sys_first is None or self._sys_last is None:
            return 0.0, 0.0
        busy = _busy_seconds(self._sys_last) - _busy_seconds(self._sys_first)
        folded = direct = 0.0
        for t in self._tracks.values():
            if t.alive:
                folded += t.cpu_delta + t.children_delta
                direct += t.cpu_delta
            else:
                folded -= t.base_cpu + t.base_children
                direct += t.cpu_delta
        return busy, max(folded, direct)

    def result(self) -> Utilization:
        window = self.window_seconds()
        cores = psutil.cpu_count() or 1
        busy, visible = self.cross_view()
        invisible = max(0.0, busy - visible) if window > 0 and self.cross_view_reliable else None
        gpus = [
            GPUUtilization(
                index=s.index,
                uuid=s.uuid,
                name=s.name,
                utilization=stat_of(s.util),
                memory_used_mb=stat_of(s.mem),
                power_w=stat_of(s.power),
                utilization_series=list(s.util),
            )
            for s in sorted(self._gpus.values(), key=lambda s: s.index)
        ]
        cpu_avg = None
        if self._sys_first is not None and self._sys_last is not None:
            total = _total_seconds(self._sys_last) - _total_seconds(self._sys_first)
            if total > 0:
                cpu_avg = busy / total * 100.0
        idle = None
        if self.idle_probe is not None:
            with contextlib.suppress(Exception):
                idle = self.idle_probe()
        return Utilization(
            window_seconds=round(window, 2),
            samples=len(self._cpu_series),
            cpu=stat_of(self._cpu_series, avg=cpu_avg),
            logical_cores=cores,
            gpus=gpus,
            top_processes=self._top_processes(window),
            user_idle_seconds=idle,
            invisible_cpu_percent=(
                round(invisible / window * 100.0, 2) if invisible is not None and window else None
            ),
            invisible_cpu_seconds=round(invisible, 3) if invisible is not None else None,
            processes_seen=len(self._tracks),
            series_interval_seconds=self.interval,
            cpu_series=list(self._cpu_series),
        )

    def _top_processes(self, window: float) -> list[ProcessUsage]:
        candidates = [
            t for t in self._tracks.values() if t.pid not in self.own_pids and t.cpu_delta > 0
        ]
        candidates.sort(key=lambda t: t.cpu_delta, reverse=True)
        chosen = candidates[: self.top_n]
        chosen_pids = {t.pid for t in chosen}
        # GPU users are listed too, even when their CPU use is small.
        gpu_users = [
            t
            for t in self._tracks.values()
            if t.alive
            and t.pid in self._gpu_procs
            and t.pid not in chosen_pids
            and t.pid not in self.own_pids
        ]
        out = []
        for t in chosen + gpu_users[: self.top_n]:
            usage = ProcessUsage(
                pid=t.pid,
                name=printable_or_none(t.name),
                cpu_seconds=round(t.cpu_delta, 2),
                cpu_percent=round(t.cpu_delta / window * 100.0, 1) if window > 0 else 0.0,
                started_in_window=t.started_in_window,
                exited=not t.alive,
            )
            gpu = self._gpu_procs.get(t.pid)
            if gpu:
                usage.gpu_memory_mb = max(gpu["mem"]) if gpu["mem"] else None
                usage.gpu_utilization_percent = (
                    round(sum(gpu["util"]) / len(gpu["util"]), 1) if gpu["util"] else None
                )
            if t.alive:
                _fill_details(usage, t.created)
            out.append(usage)
        return out


def _fill_details(usage: ProcessUsage, created: float) -> None:
    """Name, exe, user and command line of a live process (only for the few top ones)."""
    try:
        proc = psutil.Process(usage.pid)
        with proc.oneshot():
            if abs(proc.create_time() - created) > 2.0:
                return  # pid reused by another process
            usage.name = printable_or_none(proc.name()) or usage.name
            with contextlib.suppress(psutil.Error, OSError):
                usage.exe = printable_or_none(proc.exe() or None)
            with contextlib.suppress(psutil.Error, OSError, KeyError):
                usage.user = printable_or_none(proc.username())
            with contextlib.suppress(psutil.Error, OSError):
                cmd = " ".join(proc.cmdline())
                usage.cmdline = printable_or_none(cmd[:MAX_CMDLINE_CHARS] or None)
    except (psutil.Error, OSError):
        return
