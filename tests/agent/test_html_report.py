"""The HTML report: sections, generic finding rendering, escaping, charts, both languages."""

from __future__ import annotations

from html.parser import HTMLParser

from agent.i18n import localized
from agent.report.html import render_html
from agent.wire.report import (
    CollectorError,
    DeviceIdentity,
    Finding,
    GPUInfo,
    GPUUtilization,
    Hardware,
    HighPerformance,
    MiningMode,
    ProcessUsage,
    Report,
    Stat,
    Strength,
    Subject,
    Utilization,
    Verdict,
    VerdictStatus,
)

EVIL_NAME = "<script>alert('x')</script>"
EVIL_CMD = '"><img src=x onerror=alert(1)> --url stratum+tcp://127.0.0.1:3333'


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.sections: list[str] = []
        self.text = ""
        self.points: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs
        d = dict(attrs)
        if tag == "section":
            self.sections.append(d.get("id", ""))
        if tag == "polyline":
            self.points.append(d.get("points", ""))

    def handle_data(self, data):
        self.text += data


def _report() -> Report:
    return Report(
        agent={"version": "0.1.0", "platform": "win32", "privileged": False},
        device=DeviceIdentity(fingerprint="cd" * 32, hostname="LAB-PC-07"),
        hardware=Hardware(
            gpus=[
                GPUInfo(
                    vendor="nvidia",
                    name="NVIDIA GeForce RTX 3060",
                    source="nvml",
                    memory_total_mb=12288,
                    discrete=True,
                )
            ],
            high_performance=HighPerformance(
                is_high_performance=True,
                category="gpu_workstation",
                reasons=[localized("Graphics cards")],
            ),
        ),
        utilization=Utilization(
            window_seconds=30,
            samples=4,
            cpu=Stat(avg=40, p95=90, max=95),
            logical_cores=8,
            series_interval_seconds=1.0,
            cpu_series=[10.0, 50.0, 90.0, 95.0],
            gpus=[
                GPUUtilization(
                    index=0,
                    name="RTX 3060",
                    utilization=Stat(avg=99, p95=100, max=100),
                    utilization_series=[98.0, 100.0, 99.0],
                )
            ],
            top_processes=[
                ProcessUsage(
                    pid=4242,
                    name=EVIL_NAME,
                    cmdline=EVIL_CMD,
                    cpu_seconds=7.5,
                    cpu_percent=25.0,
                    gpu_memory_mb=2000,
                )
            ],
            invisible_cpu_percent=80.0,
        ),
        findings=[
            Finding(
                kind="pool_connection",
                strength=Strength.strong,
                passive_hint=True,
                title=localized("Mining malware found"),
                detail=localized("Cryptocurrency mining was found on this computer."),
                action=localized(
                    "Stop the mining program, have the computer checked (by a technician "
                    "or your antivirus), and report it with this report file."
                ),
                subject=Subject(
                    pid=4242,
                    process_name=EVIL_NAME,
                    exe=r"C:\Users\Public\svchost.exe",
                    remote="127.0.0.1:3333",
                    persistence="schtasks \\Updater",
                ),
                rule="pool:example",
                signature_version="2026.11.1",
                evidence=[EVIL_CMD],
            ),
            Finding(
                kind="note",
                strength=Strength.info,
                title=localized("Nothing to show."),
                action=localized("Nothing needs to be done. Keep this report for your records."),
            ),
        ],
        verdict=Verdict(
            status=VerdictStatus.mining,
            mode=MiningMode.passive,
            reasons=[localized("Mining found")],
        ),
        errors=[
            CollectorError(
                collector="gpu",
                kind="unavailable",
                message=localized("GPU sampling is not available ({error}).", error="NVMLError"),
                detail="<b>driver</b>",
            )
        ],
        limitations=[localized("No signature bundle could be loaded; detection was skipped.")],
    )


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    return page


def test_every_section_is_there_in_chinese_by_default():
    text = render_html(_report())
    page = _parse(text)
    assert page.sections == [
        "verdict",
        "findings",
        "utilization",
        "device",
        "hardware",
        "problems",
        "about",
    ]
    assert '<html lang="zh-CN">' in text
    assert "发现挖矿木马" in page.text  # verdict headline, passive mining
    assert "断开本机网络" in page.text  # what to do
    assert "LAB-PC-07" in page.text and "NVIDIA GeForce RTX 3060" in page.text
    assert "高性能设备" in page.text and "gpu_workstation" in page.text
    assert "检查时间" in page.text


def test_english_on_request():
    page = _parse(render_html(_report(), "en"))
    assert "Mining malware found" in page.text and "Hardware" in page.text
    assert "硬件" not in page.text


def test_attacker_controlled_text_is_escaped():
    text = render_html(_report())
    page = _parse(text)
    assert "script" not in page.tags and "img" not in page.tags
    assert all(name != "onerror" for name, _v in page.attrs)
    assert EVIL_NAME in page.text and EVIL_CMD in page.text  # shown as text
    assert "<b>driver</b>" in page.text and "b" not in page.tags


def test_findings_render_their_evidence_generically():
    page = _parse(render_html(_report(), "en"))
    for shown in (
        r"C:\Users\Public\svchost.exe",
        "127.0.0.1:3333",
        "schtasks \\Updater",
        "pool:example",
        "2026.11.1",
        "strong evidence",
        "for information",
        "malware (started without the user)",
        "What to do",
    ):
        assert shown in page.text, shown


def test_charts_and_print_styles_are_inline():
    text = render_html(_report())
    page = _parse(text)
    assert page.tags.count("svg") == 2  # CPU and one GPU
    cpu_points = page.points[0].split()
    assert len(cpu_points) == 4
    ys = [float(p.split(",")[1]) for p in cpu_points]
    assert ys == sorted(ys, reverse=True)  # rising use is drawn higher up
    assert "@media print" in text
    assert not [v for k, v in page.attrs if k in ("src", "href")]
    assert "link" not in page.tags


def test_errors_and_limitations_are_listed():
    page = _parse(render_html(_report(), "en"))
    assert "GPU sampling is not available (NVMLError)." in page.text
    assert "No signature bundle could be loaded" in page.text
    assert "80 % of one core" in page.text


def test_empty_report_renders():
    report = Report(
        agent={"version": "0", "platform": "linux"},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="pc"),
    )
    page = _parse(render_html(report))
    assert "未发现挖矿" in page.text
    assert "本次检查未测量" in page.text
    assert "svg" not in page.tags


def test_long_verdict_reason_lists_are_cut_short():
    report = _report()
    report.verdict.reasons = [localized("Mining found")] * 20
    page = _parse(render_html(report, "en"))
    assert page.text.count("Mining found") < 20
    assert "and 14 more" in page.text


def _hostile_report() -> Report:
    """Attacker-chosen strings straight into the model (not through the scan's sanitiser)."""
    long_line = "A" * 10_000
    memory = "XMRig/6.21 \x00\x00\x01\x02\xff\ufffd miner \x1b[0m"
    report = _report()
    f = report.findings[0]
    f.subject.process_name = "gpu\u202egnp.exe <script>alert(1)</script>"
    f.subject.cmdline = long_line
    f.evidence = [memory, "<script>alert(2)</script>", long_line]
    return report


def test_hostile_strings_render_as_escaped_text():
    text = render_html(_hostile_report(), "en")
    page = _parse(text)
    assert "script" not in page.tags
    assert "\x00" not in text and "\x1b" not in text
    assert "\u202e" not in text and "\\u202e" in page.text  # the override is shown, not applied
    assert "\\x00\\x00\\x01\\x02" in page.text  # NUL bytes shown as escapes
    assert "<script>alert(2)</script>" in page.text  # as text


def test_binary_evidence_gets_a_hex_view():
    page = _parse(render_html(_hostile_report(), "en"))
    assert "Bytes (hexadecimal)" in page.text
    assert "00 00 01 02" in page.text


def test_ten_kilobyte_lines_are_cut_with_a_note():
    text = render_html(_hostile_report(), "en")
    assert "A" * 10_000 not in text
    assert "A" * 500 in text
    assert "more characters not shown" in text


def test_incomplete_is_shown_first_then_incidents_group_their_findings():
    from agent.wire.report import Incident

    report = _report()
    report.verdict.incomplete = [localized("the check of network connections")]
    report.verdict.mode_reason = localized("Mining malware found")
    report.incidents = [
        Incident(
            id="i1",
            strength=Strength.strong,
            title=localized("Mining software is running"),
            action=localized("What to do"),
            pids=[4242],
            exe=r"C:\Users\Public\svchost.exe",
            findings=[0],
        )
    ]
    page = _parse(render_html(report, "en"))
    text = page.text
    verdict_end = text.index("Findings")
    assert "the check of network connections" in text[:verdict_end]
    assert "Why active or passive" in text[:verdict_end]
    # what did not run comes before the explanation and the reasons
    assert text.index("What did not run") < text.index("infected by malware")
    block = text[text.index("Miners found 1") :]
    assert block.index("Mining software is running") < block.index("pool:example")
    assert "Other findings" in text  # the info finding is not part of the incident


def test_tipoff_block_shows_the_pushed_phone_and_address_escaped(tmp_path):
    """The regulator's 举报 phone/address (pushed_config.json) as a section after the verdict."""
    import json

    from agent.runner.loop import PUSHED_FILE, pushed_tipoff

    assert pushed_tipoff(tmp_path) == {}  # nothing pushed yet
    (tmp_path / PUSHED_FILE).write_text(
        json.dumps(
            {
                "interval_minutes": 60,
                "report_phone": " 12318 ",
                "report_address": "<script>x</script>人民路 1 号",
            }
        ),
        encoding="utf-8",
    )
    tipoff = pushed_tipoff(tmp_path)
    assert tipoff == {"report_phone": "12318", "report_address": "<script>x</script>人民路 1 号"}
    text = render_html(_report(), tipoff=tipoff)
    page = _parse(text)
    assert page.sections[:2] == ["verdict", "tipoff"] and "script" not in page.tags
    assert "举报方式" in page.text and "12318" in page.text and "<script>x</script>" in page.text
    assert "Where to report mining" in render_html(_report(), "en", tipoff=tipoff)
    (tmp_path / PUSHED_FILE).write_text(
        json.dumps({"report_phone": 5, "report_address": ""}), encoding="utf-8"
    )
    assert pushed_tipoff(tmp_path) == {}
    assert "tipoff" not in _parse(render_html(_report(), tipoff={})).sections
    (tmp_path / PUSHED_FILE).write_text("[1, 2]", encoding="utf-8")
    assert pushed_tipoff(tmp_path) == {}
