"""The whole path through the real server and the real agent: a stand-in miner logs into a
loopback stratum pool whose address is in a notice; the agent scans and uploads; the notice
list is imported, matched to the right school and device; the school locates the device,
writes and submits the report (DOCX and PDF checked); the miner stops, the rescan is clean,
the case is closed."""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.collector.web.test_dashboard_seed import csrf_token, post_form, seed_county
from tests.fixtures.miners.pool import StratumPool

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FAKE_MINER = ROOT / "tests" / "fixtures" / "miners" / "fake_miner.py"
WALLET = (
    "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7"
    "f2wfn3RVGQBEP3A"
)


def start_miner(pool: StratumPool) -> subprocess.Popen:
    """The stand-in miner, its own process group, marked like the fixtures' processes.

    (tests.fixtures.miners.launch is not imported: once imported, the suite's leftover guard
    kills every marked process on the machine, also other checkouts' running tests.)"""
    env = {**os.environ, "MINECHECK_FIXTURE_PROCESS": "1", "FAKE_MINER_THROTTLE": "0.5"}
    miner = subprocess.Popen(
        [
            os.path.realpath(sys.executable),
            str(FAKE_MINER),
            "-o",
            f"stratum+tcp://127.0.0.1:{pool.port}",
            "-u",
            WALLET,
            "-p",
            "x",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    end = time.monotonic() + 60
    while time.monotonic() < end and not pool.log.logins:
        time.sleep(0.1)
    if not pool.log.logins:
        stop_miner(miner)
        raise AssertionError(f"the stand-in miner did not log in: {pool.log}")
    return miner


def stop_miner(miner: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(miner.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        miner.wait(timeout=10)


def agent(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "MINECHECK_HOME", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(
        [sys.executable, "-m", "agent", "--lang", "en", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def scan_and_upload(home: Path) -> subprocess.CompletedProcess:
    result = agent(home, "scan", "--sample-seconds", "0", "--quiet", "--upload")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert not list((home / "spool" / "pending").glob("*.json")), result.stderr
    return result


def test_notice_to_closed_case_with_a_real_agent_and_miner(server, tmp_path):
    from docx import Document
    from pypdf import PdfReader

    from collector_server.notices.models import Case, Notice

    county = seed_county(server, per_school=1)
    bureau, school = county.sessions["bureau"], county.sessions["school_a"]
    home = tmp_path / "agent-home"
    enrolled = agent(
        home,
        "enroll",
        "--server",
        server.base_url,
        "--token",
        server.enrollment_token(county.school_a),
        "--location",
        "机房 301",
    )
    assert enrolled.returncode == 0, enrolled.stdout + enrolled.stderr

    with StratumPool() as pool:
        miner = start_miner(pool)
        try:
            first = scan_and_upload(home)
        finally:
            stop_miner(miner)
    assert first.returncode == 1  # mining
    device = (
        server.devices()
        .filter(organisation=county.school_a)
        .exclude(pk__in=[d.pk for d in county.devices_a])
        .get()
    )
    # mining; on a shared machine another test's miner can make the same scan read otherwise
    assert device.last_verdict in ("mining", "suspicious")
    verdict_label = {"mining": "挖矿", "suspicious": "可疑"}[device.last_verdict]

    # the notice list names the pool's address and port
    number = f"公网安〔2026〕{pool.port}号"
    csv_text = (
        "序号,IP地址,端口,发现时间,通报单位,通报编号\n"
        f"1,127.0.0.1,{pool.port},,县公安局网安大队,{number}\n"
    )
    page = server.url("/notices/import/")
    preview = bureau.post(
        page,
        data={
            "csrfmiddlewaretoken": csrf_token(bureau, page),
            "organisation": county.bureau.pk,
            "source": "other",
            "number": "",
        },
        files={"file": ("通报.csv", csv_text.encode("utf-8-sig"))},
        headers={"Referer": page},
        timeout=60,
    )
    assert preview.status_code == 200 and 'data-testid="confirm"' in preview.text
    confirm = post_form(bureau, page, page, {"action": "confirm"})
    assert confirm.status_code == 302
    notice = Notice.objects.using(server.alias).get(number=number)
    case = Case.objects.using(server.alias).get(notice=notice)
    assert case.organisation_id == county.school_a.pk and notice.source == "police"
    detail = school.get(server.url(f"/notices/cases/{case.pk}/"), timeout=30).text
    assert re.search(rf'value="{device.pk}"[^>]*checked', detail)  # a candidate from evidence
    notice_page = bureau.get(server.url(f"/notices/{notice.pk}/"), timeout=30).text
    assert f"127.0.0.1:{pool.port}" in notice_page and "设备（强）" in notice_page

    case_page = server.url(f"/notices/cases/{case.pk}/")
    assert (
        post_form(
            school,
            case_page,
            case_page + "locate/",
            {"devices": device.pk, "responsible_person": "李明"},
        ).status_code
        == 302
    )
    assert (
        post_form(
            school,
            case_page,
            case_page + "report/",
            {
                "mining_mode": "active",
                "mode_reason": "学生自行运行挖矿程序",
                "actions": "已结束进程并删除程序；封禁矿池地址",
                "accountability": "已对当事学生批评教育",
                "action": "submit",
            },
        ).status_code
        == 302
    )
    docx = Document(io.BytesIO(school.get(case_page + "report.docx", timeout=60).content))
    docx_text = "\n".join(p.text for p in docx.paragraphs)
    pdf = PdfReader(io.BytesIO(school.get(case_page + "report.pdf", timeout=60).content))
    pdf_text = " ".join("".join(p.extract_text() for p in pdf.pages).split())
    for text in (docx_text, pdf_text):
        assert device.hostname in text and "李明" in text and "机房 301" in text, text
        assert "主动" in text and f"最近检查结论 {verdict_label}" in " ".join(text.split())
        assert f"127.0.0.1:{pool.port}" in text

    # the miner is gone: rescan with the real agent (a whole-machine scan)
    for _attempt in range(3):
        if scan_and_upload(home).returncode == 0:
            break
        time.sleep(5)
    rescan = server.reports().filter(device=device).order_by("-received_at").first()
    findings = rescan.raw_json()["findings"]
    assert not [f for f in findings if f"127.0.0.1:{pool.port}" in str(f)]  # our miner is gone
    if rescan.verdict == "clean":
        assert post_form(school, case_page, case_page + "close/", {"reason": ""}).status_code == 302
        expected_reason = ""
    else:  # another process of this machine is flagged (not our miner): closing needs a reason
        assert post_form(school, case_page, case_page + "close/", {"reason": ""}).status_code == 302
        case.refresh_from_db(using=server.alias)
        assert case.state == "reported"
        expected_reason = "复查仅余与本次通报无关的告警，已另行核查"
        assert (
            post_form(
                school, case_page, case_page + "close/", {"reason": expected_reason}
            ).status_code
            == 302
        )
    case.refresh_from_db(using=server.alias)
    assert case.state == "closed" and case.close_reason == expected_reason
    assert list(case.events.using(server.alias).values_list("action", flat=True)) == [
        "opened",
        "located",
        "report_edited",
        "reported",
        "closed",
    ]
