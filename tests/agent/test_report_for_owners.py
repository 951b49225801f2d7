"""The report read by a café owner or a teacher, not an IT department (issue 17): no "IT
contact", one consistent instruction, sizes in GB, no internal words, names never broken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.i18n import gettext_in
from agent.report.html import render_html, size_text
from agent.report.wording import _WORDS as VERDICT_WORDS
from agent.wire.report import (
    DeviceIdentity,
    Hardware,
    MemoryInfo,
    ProcessUsage,
    Report,
    SignatureBundleInfo,
    Utilization,
    Verdict,
    VerdictStatus,
)

CHROMIUM = "/usr/bin/chromium"
IN_CI = os.environ.get("CI", "").lower() == "true"


def _all_wording() -> list[tuple[str, str]]:
    texts = []
    for key, parts in VERDICT_WORDS.items():
        for part in parts:
            texts += [(str(key), part), (str(key), gettext_in("zh_CN", part))]
    return texts


def test_no_verdict_text_sends_the_reader_to_an_it_department():
    for key, text in _all_wording():
        assert "IT contact" not in text and "信息技术联系人" not in text, (key, text)


def test_a_suspicious_result_says_not_to_end_or_delete_anything_yet():
    action = VERDICT_WORDS[(VerdictStatus.suspicious, None)][2]
    assert "Do not end programs or delete files yet" in action
    zh = gettext_in("zh_CN", action)
    assert "不要结束程序或删除文件" in zh and "网吧" in zh


def test_sizes_are_in_gb_when_large():
    assert size_text(512) == "512 MB"
    assert size_text(16_000) == "15.6 GB"
    assert size_text(None) == ""


def _report(process_name: str = "steamwebhelper") -> Report:
    return Report(
        agent={"version": "0.1.0", "platform": "win32", "privileged": True},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="CAFE-PC-12"),
        hardware=Hardware(memory=MemoryInfo(total_mb=16_000, available_mb=9_000)),
        utilization=Utilization(
            window_seconds=60,
            samples=60,
            logical_cores=8,
            top_processes=[
                ProcessUsage(
                    pid=4242,
                    name=process_name,
                    cpu_seconds=30.0,
                    cpu_percent=50.0,
                    user="cafe",
                    exe="C:\\Program Files (x86)\\Steam\\bin\\cef\\"
                    "cef.win7x64\\" + process_name + ".exe",
                    cmdline='"C:\\Program Files (x86)\\Steam\\bin\\cef\\cef.win7x64\\'
                    + process_name
                    + '.exe" --type=gpu-process --no-sandbox '
                    "--field-trial-handle=1620,13548285463473632069,8888898837370001",
                )
            ],
        ),
        signatures=SignatureBundleInfo(version="2026.11.30", source="builtin"),
        verdict=Verdict(status=VerdictStatus.clean),
    )


def test_the_html_report_shows_gb_and_says_where_the_signatures_came_from():
    html = render_html(_report(), "zh_CN")
    assert "15.6 GB" in html and "8.8 GB" in html
    assert "(builtin)" not in html
    assert "2026.11.30（随 minecheck 附带）" in html or "2026.11.30 (随 minecheck 附带)" in html


@pytest.mark.browser
@pytest.mark.skipif(not IN_CI and not Path(CHROMIUM).exists(), reason="no chromium here")
def test_process_names_are_never_broken_in_the_middle(tmp_path):
    from playwright.sync_api import sync_playwright

    name = "steamwebhelper"
    page_file = tmp_path / "r.html"
    page_file.write_text(render_html(_report(name), "zh_CN"), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 480, "height": 800})
            page.goto(page_file.as_uri())
            lines = page.evaluate(
                """(name) => {
                const td = [...document.querySelectorAll('td')]
                    .find(c => c.textContent.trim() === name);
                const range = document.createRange();
                range.selectNodeContents(td);
                const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
                return tops.size;
            }""",
                name,
            )
        finally:
            browser.close()
    assert lines == 1


def test_chinese_texts_do_not_use_internal_words():
    from babel.messages.pofile import read_po

    from agent.i18n import locale_dir

    with (locale_dir() / "zh_CN" / "LC_MESSAGES" / "minecheck.po").open("rb") as fh:
        po = read_po(fh)
    jargon = ("machine-id", "SMBIOS", "(builtin)")
    bad = [m.string for m in po if isinstance(m.string, str) and any(j in m.string for j in jargon)]
    assert not bad, bad
