"""The HTML report: one self-contained, printable file (inline CSS and SVG, no external asset).

Everything taken from the report is escaped: process names, command lines and file names
are chosen by whoever runs software on the machine, attackers included.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from string import Template

from agent.i18n import N_, gettext_in
from agent.report.model import Finding, LocalizedText, Report, Stat, Subject
from agent.report.wording import STRENGTH_WORDS, verdict_words

MAX_CMDLINE_SHOWN = 600
MAX_REASONS_SHOWN = 6


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _template() -> Template:
    text = (
        resources.files("agent.report")
        .joinpath("templates/report.html")
        .read_text(encoding="utf-8")
    )
    return Template(text)


class _Renderer:
    def __init__(self, report: Report, lang: str) -> None:
        self.r = report
        self.lang = "en" if lang == "en" else "zh"
        self.colon = ": " if self.lang == "en" else "："

    def t(self, msgid: str) -> str:
        return gettext_in(self.lang, msgid)

    def lt(self, text: LocalizedText | None) -> str:
        return "" if text is None else text.get(self.lang)

    # --- helpers ------------------------------------------------------------------------

    def kv_table(self, rows: Iterable[tuple[str, object]]) -> str:
        body = "".join(
            f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>"
            for k, v in rows
            if v not in (None, "", [])
        )
        return f'<table class="kv">{body}</table>' if body else self.empty()

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[object]], num=()) -> str:
        head = "".join(f"<th>{esc(h)}</th>" for h in headers)
        body = ""
        for row in rows:
            cells = "".join(
                f'<td class="num">{esc(c)}</td>' if i in num else f"<td>{esc(c)}</td>"
                for i, c in enumerate(row)
            )
            body += f"<tr>{cells}</tr>"
        if not body:
            return self.empty()
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def empty(self, msgid: str = N_("Nothing to show.")) -> str:
        return f'<p class="empty">{esc(self.t(msgid))}</p>'

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

    def verdict(self) -> str:
        words = verdict_words(self.r.verdict, self.lang)
        shown = self.r.verdict.reasons[:MAX_REASONS_SHOWN]
        reasons = "".join(f"<li>{esc(self.lt(x))}</li>" for x in shown)
        hidden = len(self.r.verdict.reasons) - len(shown)
        if hidden > 0:
            more = self.t(N_("… and {count} more (see the findings below)"))
            reasons += f"<li>{esc(more.format(count=hidden))}</li>"
        reasons_html = f"<ul>{reasons}</ul>" if reasons else ""
        todo = esc(self.t(N_("What to do")))
        return (
            f'<section id="verdict" class="verdict {esc(words.level)}">'
            f'<p class="headline">{esc(words.headline)}</p>'
            f"<p>{esc(words.explanation)}</p>{reasons_html}"
            f'<p class="todo"><strong>{todo}{self.colon}</strong>{esc(words.action)}</p></section>'
        )

    def device(self) -> str:
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
            ("machine-id", d.machine_id),
            ("MachineGuid", d.machine_guid),
        ]
        if hw.os is not None:
            rows.append((t(N_("Domain / workgroup")), hw.os.domain))
            rows.append((t(N_("Logged-in users")), ", ".join(hw.os.users)))
        return self.section("device", N_("Device identity"), self.kv_table(rows))

    def hardware(self) -> str:
        hw = self.r.hardware
        t = self.t
        parts: list[str] = []
        hp = hw.high_performance
        flag = t(N_("yes")) if hp.is_high_performance else t(N_("no"))
        badge = "yes" if hp.is_high_performance else ""
        reasons = "".join(f"<li>{esc(self.lt(x))}</li>" for x in hp.reasons)
        parts.append(
            f"<p><strong>{esc(t(N_('High-performance device')))}{self.colon}</strong>"
            f'<span class="badge {badge}">{esc(flag)}</span>'
            + (f" ({esc(hp.category)})" if hp.category else "")
            + "</p>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
        )
        if hw.os is not None:
            o = hw.os
            parts.append(f"<h3>{esc(t(N_('Operating system')))}</h3>")
            parts.append(
                self.kv_table(
                    [
                        (t(N_("Name")), o.name),
                        (t(N_("Version")), o.version),
                        (t(N_("Build")), o.build),
                        (t(N_("Architecture")), o.architecture),
                        (t(N_("Server edition")), self.yes_no(o.is_server)),
                        (t(N_("Started at")), self.when(o.boot_time)),
                    ]
                )
            )
        if hw.cpu is not None:
            c = hw.cpu
            flags = ", ".join(k for k, v in sorted(c.flags.items()) if v)
            parts.append(f"<h3>{esc(t(N_('Processor')))}</h3>")
            parts.append(
                self.kv_table(
                    [
                        (t(N_("Model")), c.brand),
                        (t(N_("Vendor")), c.vendor),
                        (t(N_("Architecture")), c.architecture),
                        (t(N_("Physical cores")), c.physical_cores),
                        (t(N_("Logical cores")), c.logical_cores),
                        (t(N_("Base frequency (MHz)")), self.num(c.base_mhz)),
                        (t(N_("Maximum frequency (MHz)")), self.num(c.max_mhz)),
                        (t(N_("Instruction sets")), flags),
                    ]
                )
            )
        if hw.memory is not None:
            m = hw.memory
            parts.append(f"<h3>{esc(t(N_('Memory')))}</h3>")
            parts.append(
                self.kv_table(
                    [
                        (t(N_("Total (MB)")), self.num(m.total_mb)),
                        (t(N_("Available (MB)")), self.num(m.available_mb)),
                        (t(N_("Swap (MB)")), self.num(m.swap_total_mb)),
                    ]
                )
            )
        parts.append(f"<h3>{esc(t(N_('Graphics cards')))}</h3>")
        parts.append(
            self.table(
                [
                    t(N_("Name")),
                    t(N_("Vendor")),
                    t(N_("Memory (MB)")),
                    t(N_("Driver")),
                    t(N_("Dedicated")),
                    "PCI",
                ],
                (
                    (
                        g.name,
                        g.vendor,
                        self.num(g.memory_total_mb),
                        g.driver_version,
                        self.yes_no(g.discrete),
                        g.pci_bus_id or g.pci_id,
                    )
                    for g in hw.gpus
                ),
                num=(2,),
            )
        )
        parts.append(f"<h3>{esc(t(N_('Disks')))}</h3>")
        parts.append(
            self.table(
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
            )
        )
        parts.append(f"<h3>{esc(t(N_('Network interfaces')))}</h3>")
        parts.append(
            self.table(
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
            )
        )
        return self.section("hardware", N_("Hardware"), "".join(parts))

    def utilization(self) -> str:
        u = self.r.utilization
        t = self.t
        if u is None:
            return self.section(
                "utilization",
                N_("Utilization"),
                self.empty(N_("CPU and GPU use were not measured in this check.")),
            )
        parts = [
            '<p class="note">'
            + esc(
                t(N_("Measured for {seconds:.0f} seconds; {cores} logical cores.")).format(
                    seconds=u.window_seconds, cores=u.logical_cores or "?"
                )
            )
            + "</p>"
        ]

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
        parts.append(self.kv_table(rows))
        step = u.series_interval_seconds or 1.0
        if u.cpu_series:
            parts.append(self.chart(t(N_("CPU use over time (%)")), u.cpu_series, step))
        for g in u.gpus:
            if g.utilization_series:
                title = t(N_("GPU {index} use over time (%)")).format(index=g.index)
                parts.append(self.chart(title, g.utilization_series, step))
        parts.append(f"<h3>{esc(t(N_('Processes using the most CPU or GPU')))}</h3>")
        rows_p = []
        for p in u.top_processes:
            cmd = p.cmdline or ""
            if len(cmd) > MAX_CMDLINE_SHOWN:
                cmd = cmd[:MAX_CMDLINE_SHOWN] + " …"
            gpu = ""
            if p.gpu_utilization_percent is not None:
                gpu = f"{p.gpu_utilization_percent:.0f} %"
            if p.gpu_memory_mb is not None:
                gpu = (gpu + f" {p.gpu_memory_mb:.0f} MB").strip()
            rows_p.append(
                (
                    p.pid,
                    p.name,
                    p.user,
                    f"{p.cpu_seconds:.1f}",
                    f"{p.cpu_percent:.0f}",
                    gpu,
                    p.exe,
                    cmd,
                )
            )
        parts.append(
            self.table(
                [
                    "PID",
                    t(N_("Name")),
                    t(N_("User")),
                    t(N_("CPU seconds")),
                    t(N_("% of one core")),
                    "GPU",
                    t(N_("Program file")),
                    t(N_("Command line")),
                ],
                rows_p,
                num=(0, 3, 4),
            )
        )
        return self.section("utilization", N_("Utilization"), "".join(parts))

    def chart(self, title: str, series: Sequence[float], step: float) -> str:
        """A line chart of percentages (0-100) as inline SVG."""
        w, h, left, bottom, top = 720, 180, 40, 22, 8
        plot_w, plot_h = w - left - 10, h - bottom - top
        n = len(series)
        pts = []
        for i, v in enumerate(series):
            x = left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)
            y = top + plot_h * (1 - max(0.0, min(100.0, float(v))) / 100.0)
            pts.append(f"{x:.1f},{y:.1f}")
        grid = ""
        for pct in (0, 25, 50, 75, 100):
            y = top + plot_h * (1 - pct / 100)
            grid += (
                f'<line x1="{left}" y1="{y:.1f}" x2="{w - 10}" y2="{y:.1f}" '
                f'stroke="#d9dce1" stroke-width="1"/>'
                f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                f'fill="#5f6368">{pct}</text>'
            )
        span = step * max(n - 1, 0)
        axis = (
            f'<text x="{left}" y="{h - 4}" font-size="11" fill="#5f6368">0 s</text>'
            f'<text x="{w - 10}" y="{h - 4}" font-size="11" text-anchor="end" '
            f'fill="#5f6368">{span:.0f} s</text>'
        )
        line = (
            f'<polyline fill="none" stroke="#1a73e8" stroke-width="2" points="{" ".join(pts)}"/>'
            if n > 1
            else "".join(
                f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="3" fill="#1a73e8"/>'
                for p in pts
            )
        )
        return (
            f'<figure class="chart"><figcaption>{esc(title)}</figcaption>'
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
            f'aria-label="{esc(title)}">{grid}{axis}{line}</svg></figure>'
        )

    def findings(self) -> str:
        if not self.r.findings:
            return self.section(
                "findings", N_("Findings"), self.empty(N_("Nothing suspicious was found."))
            )
        order = {"strong": 0, "weak": 1, "info": 2}
        items = sorted(self.r.findings, key=lambda f: order.get(f.strength.value, 3))
        return self.section("findings", N_("Findings"), "".join(self.finding(f) for f in items))

    def finding(self, f: Finding) -> str:
        t = self.t
        strength = f.strength.value
        badge = esc(t(STRENGTH_WORDS.get(strength, strength)))
        rows = self.subject_rows(f.subject)
        if f.rule:
            rows.append((t(N_("Rule")), f.rule))
        if f.signature_version:
            rows.append((t(N_("Signature version")), f.signature_version))
        if f.passive_hint is not None:
            rows.append(
                (
                    t(N_("Points to")),
                    t(N_("malware (started without the user)"))
                    if f.passive_hint
                    else t(N_("a program a user started")),
                )
            )
        evidence = ""
        if f.evidence:
            lines = "\n".join(f.evidence[:20])
            label = esc(t(N_("Evidence")))
            evidence = f"<p><strong>{label}{self.colon}</strong></p><pre>{esc(lines)}</pre>"
        detail = f"<p>{esc(self.lt(f.detail))}</p>" if f.detail else ""
        return (
            f'<div class="finding {esc(strength)}">'
            f'<h3>{esc(self.lt(f.title))} <span class="badge {esc(strength)}">{badge}</span></h3>'
            f"{detail}{self.kv_table(rows) if rows else ''}{evidence}"
            f'<p class="action"><strong>{esc(t(N_("What to do")))}{self.colon}</strong>'
            f"{esc(self.lt(f.action))}</p></div>"
        )

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
        rows: list[tuple[str, object]] = []
        for name in type(s).model_fields:
            value = getattr(s, name)
            if value not in (None, ""):
                rows.append((labels.get(name, name), value))
        return rows

    def problems(self) -> str:
        t = self.t
        parts = []
        if self.r.errors:
            parts.append(f"<h3>{esc(t(N_('Checks that could not be completed')))}</h3>")
            parts.append(
                self.table(
                    [t(N_("Part")), t(N_("Problem")), t(N_("Technical detail"))],
                    ((e.collector, self.lt(e.message), e.detail) for e in self.r.errors),
                )
            )
        if self.r.limitations:
            items = "".join(f"<li>{esc(self.lt(x))}</li>" for x in self.r.limitations)
            parts.append(f"<h3>{esc(t(N_('Limits of this check')))}</h3><ul>{items}</ul>")
        if not parts:
            parts.append(self.empty(N_("Every part of the check was completed.")))
        return self.section("problems", N_("Errors and limits"), "".join(parts))

    def about(self) -> str:
        t = self.t
        a = self.r.agent
        s = self.r.signatures
        rows = [
            (t(N_("Report ID")), self.r.report_id),
            (t(N_("Check started")), self.when(self.r.started_at)),
            (t(N_("Check finished")), self.when(self.r.finished_at)),
            (t(N_("minecheck version")), a.version),
            (t(N_("Run as administrator")), self.yes_no(a.privileged)),
            (t(N_("Signature version")), f"{s.version} ({s.source})"),
        ]
        return self.section("about", N_("About this check"), self.kv_table(rows))

    def section(self, ident: str, title_msgid: str, body: str) -> str:
        return f'<section id="{ident}"><h2>{esc(self.t(title_msgid))}</h2>{body}</section>'

    # --- whole page ---------------------------------------------------------------------

    def page(self) -> str:
        t = self.t
        title = t(N_("minecheck report: {host}")).format(host=self.r.device.hostname)
        meta = t(N_("Checked at {when}")).format(when=self.when(self.r.started_at))
        body = "".join(
            [
                self.verdict(),
                self.findings(),
                self.utilization(),
                self.device(),
                self.hardware(),
                self.problems(),
                self.about(),
            ]
        )
        footer = t(
            N_(
                "This report was made by minecheck on the computer itself. It contains no "
                "file contents, no browsing history and no personal documents."
            )
        )
        return _template().substitute(
            html_lang="en" if self.lang == "en" else "zh-CN",
            agent_version=esc(self.r.agent.version),
            title=esc(title),
            meta=esc(meta),
            body=body,
            footer=esc(footer),
        )


def render_html(report: Report, lang: str = "zh") -> str:
    """The whole report as one self-contained HTML page in ``lang`` (zh or en)."""
    return _Renderer(report, lang).page()
