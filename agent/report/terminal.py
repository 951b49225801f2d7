"""Terminal output: a progress display on stderr and the end-of-scan summary."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

from agent.i18n import N_, gettext_in
from agent.report.wording import INCOMPLETE_TITLE, MODE_REASON_TITLE, verdict_words
from agent.wire.report import Finding, Report, VerdictStatus

BAR_WIDTH = 24


class ProgressDisplay:
    """``progress(message, fraction)`` callback: a bar on a TTY, plain lines otherwise."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_line = ""
        self._last_plain_key = ""
        self._last_plain_at = 0.0
        self._drawn = False
        self._fraction: float | None = None

    def __call__(self, message: str, fraction: float | None = None) -> None:
        if self.quiet:
            return
        if fraction is None:  # a step without its own fraction: the bar stays where it was
            fraction = self._fraction
        else:
            self._fraction = fraction
        if self.tty:
            self._draw_bar(message, fraction)
        else:
            self._plain(message, fraction)

    def _draw_bar(self, message: str, fraction: float | None) -> None:
        width = shutil.get_terminal_size((80, 20)).columns
        if fraction is None:
            bar = " " * BAR_WIDTH
            pct = "   "
        else:
            done = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
            bar = "#" * done + "-" * (BAR_WIDTH - done)
            pct = f"{round(fraction * 100):3d}"
        line = f"[{bar}] {pct}% {message}"
        # Chinese characters take two columns: trim conservatively.
        limit = max(20, width - 1)
        visible = 0
        cut = len(line)
        for i, ch in enumerate(line):
            visible += 2 if ord(ch) > 0x2E7F else 1
            if visible > limit:
                cut = i
                break
        line = line[:cut]
        pad = max(0, _columns(self._last_line) - _columns(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._last_line = line
        self._drawn = True

    def _plain(self, message: str, fraction: float | None) -> None:
        # One line per stage; a running stage (same text up to the first digit) at most
        # every 10 seconds.
        key = message.split("(")[0]
        now = time.monotonic()
        if key == self._last_plain_key and now - self._last_plain_at < 10.0:
            return
        self._last_plain_key, self._last_plain_at = key, now
        pct = f"{round(fraction * 100):3d}% " if fraction is not None else ""
        self.stream.write(f"{pct}{message}\n")
        self.stream.flush()

    def finish(self) -> None:
        """End the bar's line so later output starts on a fresh line."""
        if self._drawn and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False


def _columns(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def summary_text(report: Report, lang: str, files: list[tuple[str, str]] | None = None) -> str:
    """What a non-expert reads at the end: verdict, what to do, findings, where the files are."""

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    words = verdict_words(report.verdict, lang)
    result_label, todo_label = t(N_("Result")), t(N_("What to do"))
    colon = ": " if lang == "en" else "："
    marks = {"clean": "OK", "suspicious": "!!", "mining": "XX", "incomplete": "??"}
    lines = ["", "=" * 60]
    headline = f"[{marks.get(words.level, '??')}] {result_label}{colon}{words.headline}"
    verdict = report.verdict
    if verdict.incomplete and verdict.status != VerdictStatus.incomplete:
        # a miner was found, but not everything ran: say both on the first line
        as_incomplete = verdict.model_copy(update={"status": VerdictStatus.incomplete})
        incomplete = verdict_words(as_incomplete, lang)
        headline += f" ({incomplete.headline})"
    lines += [headline, "=" * 60]
    if verdict.incomplete:
        lines += [t(INCOMPLETE_TITLE) + colon.strip()]
        lines += [f"  - {x.get(lang)}" for x in verdict.incomplete[:8]]
        lines.append("")
    lines += [words.explanation, "", f"{todo_label}{colon}{words.action}"]
    if verdict.mode_reason is not None:
        lines += ["", t(MODE_REASON_TITLE) + colon + verdict.mode_reason.get(lang)]
    if verdict.reasons:
        lines += ["", t(N_("Why")) + colon.strip()]
        lines += [f"  - {r.get(lang)}" for r in verdict.reasons[:5]]
    if report.incidents:
        lines += _incident_lines(report, lang, colon)
    elif report.findings:
        lines += ["", t(N_("Findings")) + f" ({len(report.findings)})" + colon.strip()]
        for f in report.findings[:8]:
            lines += _finding_lines(f, lang, "  ")
        if len(report.findings) > 8:
            lines.append("  ... " + t(N_("more in the report file")))
    util = report.utilization
    if util is not None and util.cpu is not None:
        lines += [
            "",
            t(N_("CPU use during the check: average {avg:.0f} %, highest {max:.0f} %")).format(
                avg=util.cpu.avg, max=util.cpu.max
            ),
        ]
        for g in util.gpus:
            if g.utilization is not None:
                lines.append(
                    t(N_("GPU {index} use: average {avg:.0f} %, highest {max:.0f} %")).format(
                        index=g.index, avg=g.utilization.avg, max=g.utilization.max
                    )
                )
        if util.top_processes:
            top = util.top_processes[0]
            lines.append(
                t(N_("Busiest program: {name} (PID {pid}), {percent:.0f} % of one core")).format(
                    name=top.name or "?", pid=top.pid, percent=top.cpu_percent
                )
            )
    if report.errors:
        lines += [
            "",
            t(N_("{count} part(s) of the check could not be completed (see the report):")).format(
                count=len(report.errors)
            ),
        ]
        lines += [f"  - {e.message.get(lang)}" for e in report.errors[:5]]
    if report.limitations:
        lines += ["", t(N_("Limits of this check")) + colon.strip()]
        lines += [f"  - {lim.get(lang)}" for lim in report.limitations[:5]]
    if files:
        lines += ["", t(N_("Report files")) + colon.strip()]
        lines += [f"  {label}: {path}" for label, path in files]
    lines.append("")
    return "\n".join(lines)


def _finding_lines(f: Finding, lang: str, indent: str) -> list[str]:
    who = f.subject.process_name or f.subject.file or f.subject.remote or ""
    pid = f" [pid {f.subject.pid}]" if f.subject.pid else ""
    return [
        f"{indent}- {f.title.get(lang)}{': ' + who if who else ''}{pid}",
        f"{indent}  -> {f.action.get(lang)}",
    ]


def _incident_lines(report: Report, lang: str, colon: str) -> list[str]:
    """One block per miner (incident) with its evidence under it."""

    def t(msgid: str) -> str:
        return gettext_in(lang, msgid)

    lines = ["", t(N_("Miners found")) + f" ({len(report.incidents)})" + colon.strip()]
    for n, inc in enumerate(report.incidents[:5], 1):
        lines.append(f"  {n}. {inc.title.get(lang)}")
        if inc.mode_reason is not None:
            lines.append(f"     {inc.mode_reason.get(lang)}")
        for i in inc.findings[:6]:
            if 0 <= i < len(report.findings):
                lines += _finding_lines(report.findings[i], lang, "     ")
        lines.append(f"     {t(N_('What to do'))}{colon}{inc.action.get(lang)}")
    if len(report.incidents) > 5:
        lines.append("  ... " + t(N_("more in the report file")))
    return lines
