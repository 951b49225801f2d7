"""The HTML report: one self-contained, printable file (inline CSS and SVG, no external asset).

The markup lives in Jinja2 templates (``agent/report/templates``) rendered with autoescape:
process names, command lines, file names and memory excerpts are chosen by whoever runs
software on the machine, attackers included. Every value printed also goes through
:func:`agent.report.sanitize.printable` (no NUL, no bidi override), and long lines are cut
with a note. This module only turns the report into plain view data for the templates.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from agent.i18n import N_, gettext_in
from agent.report.sanitize import printable
from agent.report.wording import (
    INCOMPLETE_TITLE,
    MODE_REASON_TITLE,
    STRENGTH_WORDS,
    bundle_source_name,
    verdict_words,
)
from agent.wire.report import (
    Finding,
    Incident,
    LocalizedText,
    Report,
    Stat,
    Subject,
    VerdictStatus,
)

MAX_CMDLINE_SHOWN = 600
MAX_REASONS_SHOWN = 6
MAX_LINE_SHOWN = 500  # one evidence line / table cell; the rest is cut with a note
MAX_HEX_BYTES = 256
_ESCAPE = re.compile(r"\\x([0-9a-f]{2})")


def templates_dir() -> Path:
    """Folder holding the report templates (also inside the one-file executable, where
    build/exe_contents.py puts them under ``agent/report/templates``)."""
    base = getattr(sys, "_MEIPASS", None)
    if base and (Path(base) / "agent" / "report" / "templates").is_dir():
        return Path(base) / "agent" / "report" / "templates"
    return Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _finalize(value: Any) -> Any:
    """Every ``{{ value }}``: None prints nothing, text has no control or bidi characters."""
    if value is None:
        return ""
    if isinstance(value, (jinja2.runtime.Undefined, markupsafe.Markup)):
        return value  # a macro's output: built from values that were finalized already
    if isinstance(value, (int, float)):
        return value
    return printable(value, keep_newlines=True)


LONG_CELL = 32  # characters


def size_text(mb: float | None) -> str:
    """A memory size for people: MB below 1 GB, else GB with one decimal."""
    if mb is None:
        return ""
    return f"{mb:.0f} MB" if mb < 1024 else f"{mb / 1024:.1f} GB"


@dataclass
class Cell:
    """Text shown in a table cell or an evidence line, cut to ``MAX_LINE_SHOWN``."""

    text: str
    cut_note: str = ""
    hex_lines: list[str] = field(default_factory=list)

    @property
    def long(self) -> bool:
        """Paths and command lines: these may break anywhere; names and words never do."""
        return any(len(word) > LONG_CELL for word in self.text.split())


class _View:
    def __init__(self, report: Report, lang: str) -> None:
        self.r = report
        self.lang = "en" if lang == "en" else "zh"
        self.colon = ": " if self.lang == "en" else "："

    def t(self, msgid: str) -> str:
        return gettext_in(self.lang, msgid)

    def lt(self, text: LocalizedText | None) -> str:
        return "" if text is None else text.get(self.lang)

    # --- values -------------------------------------------------------------------------

    def cell(self, value: object, limit: int = MAX_LINE_SHOWN) -> Cell:
        text = "" if value is None else printable(value, keep_newlines=True)
        if len(text) <= limit:
            return Cell(text)
        note = self.t(N_("({count} more characters not shown)")).format(count=len(text) - limit)
        return Cell(text[:limit] + " …", note)

    def evidence_line(self, value: str) -> Cell:
        cell = self.cell(value)
        raw = _escaped_bytes(printable(value))
        if raw is not None:
            cell.hex_lines = hex_dump(raw[:MAX_HEX_BYTES])
        return cell

    def rows(self, pairs: Iterable[tuple[str, object]]) -> list[tuple[str, Cell]]:
        return [(k, self.cell(v)) for k, v in pairs if v not in (None, "", [])]

    def when(self, value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()

    def yes_no(self, value: bool | None) -> str:
        if value is None:
            return ""
        return self.t(N_("yes")) if value else self.t(N_("no"))

    @staticmethod
    def num(value: float | None, fmt: str = "{:.0f}") -> str:
        return "" if value is None else fmt.format(value)

    # --- sections -----------------------------------------------------------------------

    def verdict(self) -> dict[str, Any]:
        v = self.r.verdict
        words = verdict_words(v, self.lang)
        shown = v.reasons[:MAX_REASONS_SHOWN]
        hidden = len(v.reasons) - len(shown)
        more = self.t(N_("… and {count} more (see the findings below)")).format(count=hidden)
        incomplete_headline = ""
        if v.incomplete and v.status != VerdictStatus.incomplete:
            incomplete_headline = verdict_words(
                v.model_copy(update={"status": VerdictStatus.incomplete}), self.lang
            ).headline
        return {
            "level": words.level,
            "headline": words.headline,
            "incomplete_headline": incomplete_headline,
            "explanation": words.explanation,
            "action": words.action,
            "reasons": [self.lt(x) for x in shown],
            "more": more if hidden > 0 else "",
            "incomplete_title": self.t(INCOMPLETE_TITLE),
            "incomplete": [self.lt(x) for x in v.incomplete],
            "mode_reason_title": self.t(MODE_REASON_TITLE),
            "mode_reason": self.lt(v.mode_reason),
        }

    def finding(self, f: Finding) -> dict[str, Any]:
        t = self.t
        rows = self.subject_rows(f.subject)
        if f.rule:
            rows.append((t(N_("Rule")), f.rule))
        if f.signature_version:
            rows.append((t(N_("Signature version")), f.signature_version))
        if f.passive_hint is not None:
            points = (
                N_("malware (started without the user)")
                if f.passive_hint
                else N_("a program a user started")
            )
            rows.append((t(N_("Points to")), t(points)))
        strength = f.strength.value
        return {
            "strength": strength,
            "badge": t(STRENGTH_WORDS.get(strength, strength)),
            "title": self.lt(f.title),
            "detail": self.lt(f.detail),
            "rows": self.rows(rows),
            "evidence": [self.evidence_line(e) for e in f.evidence[:20]],
            "action": self.lt(f.action),
        }

    def subject_rows(self, s: Subject) -> list[tuple[str, object]]:
        t = self.t
        labels = {
            "pid": t(N_("Process ID")),
            "process_name": t(N_("Process")),
            "exe": t(N_("Program file")),
            "sha256": "SHA-256",
            "cmdline": t(N_("Command line")),
            "user": t(N_("User")),
            "file": t(N_("File")),
            "remote": t(N_("Connection to")),
            "domain": t(N_("Domain")),
            "registry_key": t(N_("Registry key")),
            "persistence": t(N_("Autostart entry")),
        }
        return [
            (labels.get(name, name), getattr(s, name))
            for name in type(s).model_fields
            if getattr(s, name) not in (None, "")
        ]

    def findings(self) -> dict[str, Any]:
        order = {"strong": 0, "weak": 1, "info": 2}
        grouped: set[int] = set()
        incidents = []
        for inc in self.r.incidents:
            incidents.append(self.incident(inc))
            grouped.update(i for i in inc.findings if 0 <= i < len(self.r.findings))
        rest = [f for i, f in enumerate(self.r.findings) if i not in grouped]
        rest.sort(key=lambda f: order.get(f.strength.value, 3))
        return {
            "incidents": incidents,
            "other_title": self.t(N_("Other findings")) if incidents and rest else "",
            "flat": [self.finding(f) for f in rest],
        }

    def incident(self, inc: Incident) -> dict[str, Any]:
        t = self.t
        rows = [
            (t(N_("Process ID")), ", ".join(str(p) for p in inc.pids)),
            (t(N_("Program file")), inc.exe),
            (t(N_("Files")), ", ".join(inc.files)),
            (t(N_("Connection to")), ", ".join(inc.remotes)),
        ]
        strength = inc.strength.value
        return {
            "strength": strength,
            "badge": t(STRENGTH_WORDS.get(strength, strength)),
            "title": self.lt(inc.title),
            "mode_reason": self.lt(inc.mode_reason),
            "rows": self.rows(rows),
            "findings": [
                self.finding(self.r.findings[i])
                for i in inc.findings
                if 0 <= i < len(self.r.findings)
            ],
            "action": self.lt(inc.action),
        }

    def utilization(self) -> dict[str, Any] | None:
        u = self.r.utilization
        if u is None:
            return None
        t = self.t

        def stat_row(label: str, s: Stat | None, unit: str) -> tuple[str, str]:
            if s is None:
                return (label, "")
            return (
                label,
                t(N_("average {avg}, 95th percentile {p95}, highest {max}")).format(
                    avg=f"{s.avg:.0f}{unit}", p95=f"{s.p95:.0f}{unit}", max=f"{s.max:.0f}{unit}"
                ),
            )

        rows = [stat_row(t(N_("CPU use (all cores)")), u.cpu, " %")]
        for g in u.gpus:
            name = f"GPU {g.index} {g.name or ''}".strip()
            rows.append(stat_row(name + " " + t(N_("use")), g.utilization, " %"))
            rows.append(stat_row(name + " " + t(N_("memory")), g.memory_used_mb, " MB"))
            rows.append(stat_row(name + " " + t(N_("power")), g.power_w, " W"))
        if u.invisible_cpu_percent is not None:
            rows.append(
                (
                    t(N_("CPU time not explained by visible processes")),
                    t(N_("{percent:.0f} % of one core")).format(percent=u.invisible_cpu_percent),
                )
            )
        if u.user_idle_seconds is not None:
            rows.append(
                (
                    t(N_("No keyboard or mouse input for")),
                    t(N_("{seconds:.0f} seconds")).format(seconds=u.user_idle_seconds),
                )
            )
        step = u.series_interval_seconds or 1.0
        charts = []
        if u.cpu_series:
            charts.append(chart(t(N_("CPU use over time (%)")), u.cpu_series, step))
        for g in u.gpus:
            if g.utilization_series:
                title = t(N_("GPU {index} use over time (%)")).format(index=g.index)
                charts.append(chart(title, g.utilization_series, step))
        processes = []
        for p in u.top_processes:
            gpu = ""
            if p.gpu_utilization_percent is not None:
                gpu = f"{p.gpu_utilization_percent:.0f} %"
            if p.gpu_memory_mb is not None:
                gpu = (gpu + " " + size_text(p.gpu_memory_mb)).strip()
            processes.append(
                [
                    self.cell(p.pid),
                    self.cell(p.name),
                    self.cell(p.user),
                    self.cell(f"{p.cpu_seconds:.1f}"),
                    self.cell(f"{p.cpu_percent:.0f}"),
                    self.cell(gpu),
                    self.cell(p.exe),
                    self.cell(p.cmdline, MAX_CMDLINE_SHOWN),
                ]
            )
        return {
            "note": t(N_("Measured for {seconds:.0f} seconds; {cores} logical cores.")).format(
                seconds=u.window_seconds, cores=u.logical_cores or "?"
            ),
            "rows": self.rows(rows),
            "charts": charts,
            "process_headers": [
                "PID",
                t(N_("Name")),
                t(N_("User")),
                t(N_("CPU seconds")),
                t(N_("% of one core")),
                "GPU",
                t(N_("Program file")),
                t(N_("Command line")),
            ],
            "processes": processes,
        }

    def device_rows(self) -> list[tuple[str, Cell]]:
        d = self.r.device
        hw = self.r.hardware
        t = self.t
        rows = [
            (t(N_("Computer name")), d.hostname),
            (t(N_("Manufacturer")), d.manufacturer),
            (t(N_("Model")), d.product),
            (t(N_("Device fingerprint")), d.fingerprint),
            (t(N_("System UUID")), d.parts.system_uuid),
            (t(N_("System serial number")), d.parts.system_serial),
            (t(N_("Board serial number")), d.parts.board_serial),
            (t(N_("Physical MAC addresses")), ", ".join(d.parts.macs)),
            (t(N_("System installation ID (machine-id)")), d.machine_id),
            (t(N_("System installation ID (MachineGuid)")), d.machine_guid),
        ]
        if hw.os is not None:
            rows.append((t(N_("Domain / workgroup")), hw.os.domain))
            rows.append((t(N_("Logged-in users")), ", ".join(hw.os.users)))
        return self.rows(rows)

    def hardware(self) -> dict[str, Any]:
        hw = self.r.hardware
        t = self.t
        hp = hw.high_performance
        blocks: list[dict[str, Any]] = []
        if hw.os is not None:
            o = hw.os
            blocks.append(
                {
                    "title": t(N_("Operating system")),
                    "rows": self.rows(
                        [
                            (t(N_("Name")), o.name),
                            (t(N_("Version")), o.version),
                            (t(N_("Build")), o.build),
                            (t(N_("Architecture")), o.architecture),
                            (t(N_("Server edition")), self.yes_no(o.is_server)),
                            (t(N_("Started at")), self.when(o.boot_time)),
                        ]
                    ),
                }
            )
        if hw.cpu is not None:
            c = hw.cpu
            blocks.append(
                {
                    "title": t(N_("Processor")),
                    "rows": self.rows(
                        [
                            (t(N_("Model")), c.brand),
                            (t(N_("Vendor")), c.vendor),
                            (t(N_("Architecture")), c.architecture),
                            (t(N_("Physical cores")), c.physical_cores),
                            (t(N_("Logical cores")), c.logical_cores),
                            (t(N_("Base frequency (MHz)")), self.num(c.base_mhz)),
                            (t(N_("Maximum frequency (MHz)")), self.num(c.max_mhz)),
                            (
                                t(N_("Instruction sets")),
                                ", ".join(k for k, v in sorted(c.flags.items()) if v),
                            ),
                        ]
                    ),
                }
            )
        if hw.memory is not None:
            m = hw.memory
            blocks.append(
                {
                    "title": t(N_("Memory")),
                    "rows": self.rows(
                        [
                            (t(N_("Total")), size_text(m.total_mb)),
                            (t(N_("Available")), size_text(m.available_mb)),
                            (t(N_("Swap")), size_text(m.swap_total_mb)),
                        ]
                    ),
                }
            )
        tables = [
            self.table(
                t(N_("Graphics cards")),
                [
                    t(N_("Name")),
                    t(N_("Vendor")),
                    t(N_("Video memory")),
                    t(N_("Driver")),
                    t(N_("Dedicated")),
                    "PCI",
                ],
                (
                    (
                        g.name,
                        g.vendor,
                        size_text(g.memory_total_mb),
                        g.driver_version,
                        self.yes_no(g.discrete),
                        g.pci_bus_id or g.pci_id,
                    )
                    for g in hw.gpus
                ),
                num=(2,),
            ),
            self.table(
                t(N_("Disks")),
                [
                    t(N_("Device")),
                    t(N_("Model")),
                    t(N_("Serial number")),
                    t(N_("Size (GB)")),
                    t(N_("Mounted at")),
                    t(N_("Used (%)")),
                ],
                (
                    (
                        x.device,
                        x.model,
                        x.serial,
                        self.num(x.size_gb, "{:.1f}"),
                        x.mountpoint,
                        self.num(x.used_percent),
                    )
                    for x in hw.disks
                ),
                num=(3, 5),
            ),
            self.table(
                t(N_("Network interfaces")),
                [t(N_("Name")), "MAC", "IPv4", "IPv6", t(N_("Up")), t(N_("Speed (Mbit/s)"))],
                (
                    (
                        n.name,
                        n.mac,
                        ", ".join(n.ipv4),
                        ", ".join(n.ipv6),
                        self.yes_no(n.up),
                        n.speed_mbps or "",
                    )
                    for n in hw.nics
                ),
                num=(5,),
            ),
        ]
        return {
            "high_performance_label": t(N_("High-performance device")),
            "high_performance": t(N_("yes")) if hp.is_high_performance else t(N_("no")),
            "high_performance_class": "yes" if hp.is_high_performance else "",
            "category": hp.category,
            "reasons": [self.lt(x) for x in hp.reasons],
            "blocks": blocks,
            "tables": tables,
        }

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        num: Sequence[int] = (),
    ) -> dict[str, Any]:
        return {
            "title": title,
            "headers": list(headers),
            "num": list(num),
            "rows": [[self.cell(c) for c in row] for row in rows],
        }

    def problems(self) -> dict[str, Any]:
        t = self.t
        return {
            "errors_title": t(N_("Checks that could not be completed")),
            "errors": self.table(
                "",
                [t(N_("Part")), t(N_("Problem")), t(N_("Technical detail"))],
                ((e.collector, self.lt(e.message), e.detail) for e in self.r.errors),
            ),
            "limitations_title": t(N_("Limits of this check")),
            "limitations": [self.lt(x) for x in self.r.limitations],
        }

    def about_rows(self) -> list[tuple[str, Cell]]:
        t = self.t
        a = self.r.agent
        s = self.r.signatures
        return self.rows(
            [
                (t(N_("Report ID")), self.r.report_id),
                (t(N_("Check started")), self.when(self.r.started_at)),
                (t(N_("Check finished")), self.when(self.r.finished_at)),
                (t(N_("minecheck version")), a.version),
                (t(N_("Run as administrator")), self.yes_no(a.privileged)),
                (t(N_("Signature version")), f"{s.version} ({t(bundle_source_name(s.source))})"),
            ]
        )

    def tipoff(self, pushed: dict[str, str]) -> dict[str, Any] | None:
        """Where to report mining (举报), as the regulator set it; None when it set nothing."""
        rows = [
            (self.t(msgid), pushed[key])
            for key, msgid in (("report_phone", N_("Phone")), ("report_address", N_("Address")))
            if pushed.get(key)
        ]
        if not rows:
            return None
        return {
            "title": self.t(N_("Where to report mining")),
            "text": self.t(N_("To report cryptocurrency mining, contact the regulator:")),
            "rows": rows,
        }

    def context(self) -> dict[str, Any]:
        t = self.t
        labels = {
            key: t(msgid)
            for key, msgid in {
                "what_to_do": N_("What to do"),
                "evidence": N_("Evidence"),
                "hex": N_("Bytes (hexadecimal)"),
                "findings": N_("Findings"),
                "utilization": N_("Utilization"),
                "device": N_("Device identity"),
                "hardware": N_("Hardware"),
                "problems": N_("Errors and limits"),
                "about": N_("About this check"),
                "graphics": N_("Graphics cards"),
                "top_processes": N_("Processes using the most CPU or GPU"),
                "nothing": N_("Nothing to show."),
                "nothing_found": N_("Nothing suspicious was found."),
                "not_measured": N_("CPU and GPU use were not measured in this check."),
                "all_done": N_("Every part of the check was completed."),
                "miners_found": N_("Miners found"),
            }.items()
        }
        return {
            "html_lang": "en" if self.lang == "en" else "zh-CN",
            "agent_version": self.r.agent.version,
            "title": t(N_("minecheck report: {host}")).format(host=self.r.device.hostname),
            "meta": t(N_("Checked at {when}")).format(when=self.when(self.r.started_at)),
            "footer": t(
                N_(
                    "This report was made by minecheck on the computer itself. It contains no "
                    "file contents, no browsing history and no personal documents."
                )
            ),
            "colon": self.colon,
            "label": labels,
            "verdict": self.verdict(),
            "findings": self.findings(),
            "utilization": self.utilization(),
            "device_rows": self.device_rows(),
            "hardware": self.hardware(),
            "problems": self.problems(),
            "about_rows": self.about_rows(),
        }


def chart(title: str, series: Sequence[float], step: float) -> dict[str, Any]:
    """A line chart of percentages (0-100) as numbers for the inline SVG of the template."""
    w, h, left, bottom, top = 720, 180, 40, 22, 8
    plot_w, plot_h = w - left - 10, h - bottom - top
    n = len(series)
    points = []
    for i, v in enumerate(series):
        x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
        y = top + plot_h * (1 - max(0.0, min(100.0, float(v))) / 100.0)
        points.append((round(x, 1), round(y, 1)))
    grid = [(pct, round(top + plot_h * (1 - pct / 100), 1)) for pct in (0, 25, 50, 75, 100)]
    return {
        "title": title,
        "w": w,
        "h": h,
        "left": left,
        "grid": grid,
        "span": f"{step * max(n - 1, 0):.0f}",
        "points": points,
        "polyline": " ".join(f"{x},{y}" for x, y in points),
    }


def _escaped_bytes(text: str) -> bytes | None:
    """The bytes behind an evidence line that holds escaped binary (``\\xNN``), else None."""
    if len(_ESCAPE.findall(text)) < 2:
        return None
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(text):
        out += text[pos : m.start()].encode("utf-8", "surrogateescape")
        out.append(int(m.group(1), 16))
        pos = m.end()
    out += text[pos:].encode("utf-8", "surrogateescape")
    return bytes(out)


def hex_dump(data: bytes, width: int = 16) -> list[str]:
    """Classic hex view: offset, hex bytes, printable ASCII."""
    lines = []
    for off in range(0, len(data), width):
        chunk = data[off : off + width]
        hexes = " ".join(f"{b:02x}" for b in chunk).ljust(width * 3 - 1)
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:04x}  {hexes}  {text}")
    return lines


def render_html(report: Report, lang: str = "zh", tipoff: dict[str, str] | None = None) -> str:
    """The whole report as one self-contained HTML page in ``lang`` (zh or en); ``tipoff``
    holds the regulator's report_phone / report_address (举报), pushed with the settings."""
    template = _environment().get_template("report.html")
    view = _View(report, lang)
    return template.render(**view.context(), tipoff=view.tipoff(tipoff or {}))
