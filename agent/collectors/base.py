"""The one interface every collector of facts (inventory, sampling, scanners) sits behind.

A collector is a callable taking a :class:`ScanContext`. It is run through
:func:`run_collector`, which turns any failure into a readable entry in the report's
``errors`` so one failing collector never aborts a scan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agent.i18n import N_, localized
from agent.wire.report import CollectorError, LocalizedText

log = logging.getLogger(__name__)

T = TypeVar("T")

ProgressCallback = Callable[[str, float | None], None]
"""progress(message_in_current_language, fraction_done_or_None)"""


class CollectorUnavailable(Exception):
    """The facts cannot be read here (library or driver missing, API absent).

    ``message`` is an English msgid from the catalogue; ``params`` fill its placeholders.
    """

    def __init__(self, message: str, detail: str | None = None, **params: object) -> None:
        super().__init__(message.format(**params))
        self.message = message
        self.params = params
        self.detail = detail


@dataclass
class ScanOptions:
    sample_seconds: float = 30.0
    deep: bool = False
    lang: str = "zh"
    time_budget_seconds: float = 60.0


@dataclass
class ScanContext:
    """What every collector receives: options, privilege, where to report problems."""

    options: ScanOptions = field(default_factory=ScanOptions)
    privileged: bool = False
    progress: ProgressCallback | None = None
    errors: list[CollectorError] = field(default_factory=list)
    limitations: list[LocalizedText] = field(default_factory=list)
    own_pids: set[int] = field(default_factory=set)
    processes: dict[int, Any] = field(default_factory=dict)  # pid -> ProcInfo of the scan

    def report_progress(self, message: str, fraction: float | None = None) -> None:
        if self.progress is not None:
            self.progress(message, fraction)

    def add_error(
        self,
        collector: str,
        kind: str,
        message: str,
        /,
        detail: str | None = None,
        **params: object,
    ) -> None:
        self.errors.append(
            CollectorError(
                collector=collector, kind=kind, message=localized(message, **params), detail=detail
            )
        )

    def add_limitation(self, message: str, **params: object) -> None:
        text = localized(message, **params)
        if text not in self.limitations:
            self.limitations.append(text)


def run_collector(name: str, fn: Callable[[ScanContext], T], ctx: ScanContext, default: T) -> T:
    """Run one collector; on failure record a readable error and return ``default``."""
    started = time.perf_counter()
    try:
        return fn(ctx)
    except PermissionError as exc:
        ctx.add_error(
            name,
            "permission",
            N_("{collector}: permission denied; run as administrator/root to read it."),
            detail=str(exc),
            collector=name,
        )
    except CollectorUnavailable as exc:
        ctx.add_error(name, "unavailable", exc.message, detail=exc.detail, **exc.params)
    except Exception as exc:
        log.debug("collector %s failed", name, exc_info=True)
        ctx.add_error(
            name,
            "error",
            N_("{collector}: failed ({error})."),
            detail=f"{type(exc).__name__}: {exc}",
            collector=name,
            error=type(exc).__name__,
        )
    finally:
        log.debug("collector %s took %.3fs", name, time.perf_counter() - started)
    return default


def safe_call(fn: Callable[..., Any], *args: Any, default: Any = None, **kwargs: Any) -> Any:
    """Call ``fn``; return ``default`` on OSError/ValueError (for optional single facts)."""
    try:
        return fn(*args, **kwargs)
    except (OSError, ValueError):
        return default
