"""OS strings that are not valid text never crash a scan (issue 11, item 2).

A file named ``xmr\\xffig`` (not UTF-8) used to raise PydanticSerializationError in every
scan: no JSON, no HTML, nothing spooled. Every OS string now goes through one sanitiser.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from agent.cli import main
from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo
from agent.detect.scan_names import undecodable_name_findings
from agent.detect.verdict import decide
from agent.i18n import localized
from agent.report.html import render_html
from agent.report.sanitize import printable, scrub
from agent.report.terminal import summary_text
from agent.wire.report import (
    CollectorError,
    CPUInfo,
    DeviceIdentity,
    DiskInfo,
    Finding,
    GPUInfo,
    Hardware,
    Incident,
    NICInfo,
    OSInfo,
    ProcessUsage,
    Report,
    Strength,
    Subject,
    Utilization,
    Verdict,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux file names")

# What the OS can hand over: arbitrary bytes read with surrogateescape, or any code point.
os_text = st.one_of(
    st.binary(max_size=64).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.text(max_size=64),
    st.lists(st.integers(0, 0x10FFFF).map(chr), max_size=32).map("".join),
    st.sampled_from(["\x00", "\u202e", "\ud800", "<script>", "\x1b[2J"]),
)


def test_printable_keeps_the_information_as_escapes():
    assert printable(b"xmr\xffig") == "xmr\\xffig"
    assert printable("xmr\udcffig") == "xmr\\xffig"
    assert printable("a\x00b\x1b[31m") == "a\\x00b\\x1b[31m"
    assert printable("gpu\u202egnp.exe") == "gpu\\u202egnp.exe"
    assert printable("\ud800") == "\\ud800"
    assert printable("C:\\Windows\\svchost.exe 中文") == "C:\\Windows\\svchost.exe 中文"
    assert printable(None) == ""


def _full_report() -> Report:
    """A report with every OS-sourced kind of field filled (the strings get replaced)."""
    subject = Subject(
        pid=1,
        process_name="n",
        exe="e",
        sha256="s",
        cmdline="c",
        user="u",
        file="f",
        remote="r",
        domain="d",
        registry_key="k",
        persistence="p",
    )
    finding = Finding(
        kind="undecodable_name",
        strength=Strength.weak,
        title=localized("Result"),
        action=localized("What to do"),
        subject=subject,
        rule="r",
        evidence=["x", "y"],
    )
    return Report(
        agent={"version": "0", "platform": "linux"},
        device=DeviceIdentity(
            fingerprint="ab" * 32, hostname="h", manufacturer="m", product="p", machine_id="i"
        ),
        hardware=Hardware(
            os=OSInfo(name="n", hostname="h", domain="d", users=["u"]),
            cpu=CPUInfo(brand="b", vendor="v"),
            gpus=[GPUInfo(vendor="v", name="n", source="s", driver_version="d")],
            disks=[DiskInfo(device="d", model="m", serial="s", mountpoint="/")],
            nics=[NICInfo(name="n", mac="m", ipv4=["i"])],
        ),
        utilization=Utilization(
            window_seconds=1,
            samples=1,
            top_processes=[ProcessUsage(pid=1, name="n", exe="e", user="u", cmdline="c")],
        ),
        findings=[finding],
        incidents=[
            Incident(
                id="i1",
                strength=Strength.weak,
                title=localized("Result"),
                action=localized("What to do"),
                exe="e",
                files=["f"],
                remotes=["r"],
                findings=[0],
            )
        ],
        verdict=Verdict(status="suspicious", reasons=[localized("Result")]),
        errors=[CollectorError(collector="c", message=localized("Result"), detail="d")],
        limitations=[localized("Result")],
    )


# Not read from the OS: the fingerprint is a sha256 the agent computes.
_COMPUTED = {"fingerprint"}


def _poison(obj, draw):
    """Every plain string of ``obj`` replaced by something the OS could return."""
    if type(obj) is str:
        return draw(os_text)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            if name in _COMPUTED:
                continue
            object.__setattr__(obj, name, _poison(getattr(obj, name), draw))
        return obj
    if isinstance(obj, list):
        return [_poison(v, draw) for v in obj]
    return obj


def _no_raw_control(text: str) -> None:
    text.encode("utf-8")  # no surrogate left
    assert "\x00" not in text and "\u202e" not in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_arbitrary_os_strings_in_every_field_give_a_valid_report(data):
    report = scrub(_poison(_full_report(), data.draw))
    text = report.model_dump_json()
    _no_raw_control(text)
    again = Report.model_validate_json(text)
    assert again.model_dump_json() == text
    for lang in ("zh", "en"):
        _no_raw_control(render_html(again, lang))
        _no_raw_control(summary_text(again, lang))


@settings(max_examples=60, deadline=None)
@given(name=os_text, exe=os_text, cmd=st.lists(os_text, max_size=4), user=os_text)
def test_findings_about_any_process_serialise(name, exe, cmd, user):
    p = ProcInfo(pid=4242, name=name, cmdline=cmd, exe="/tmp/" + exe, user=user, cwd=exe)
    found = undecodable_name_findings([p], None)
    found.append(
        make_finding(
            "hidden_location",
            Strength.weak,
            "Process {name} (PID {pid}) runs from {exe}",
            "Check {exe}.",
            params={"name": name, "pid": 4242, "exe": p.exe},
            subject=Subject(
                pid=4242, process_name=name, exe=p.exe, cmdline=" ".join(cmd), user=user
            ),
            evidence=[name, *cmd],
        )
    )
    report = Report(
        agent={"version": "0", "platform": "linux"},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="h"),
        findings=found,
        verdict=decide(found),
    )
    _no_raw_control(report.model_dump_json())


def test_a_name_that_is_not_utf8_is_a_weak_finding_never_a_crash(tmp_path, capsys):
    """The issue's reproduction: cp /bin/sleep /tmp/$'xmr\\xffig'; run it; scan."""
    exe = os.path.join(os.fsencode(tmp_path), b"xmr\xffig")
    with open("/bin/sleep", "rb") as src, open(exe, "wb") as dst:
        dst.write(src.read())
    os.chmod(exe, 0o755)
    proc = subprocess.Popen([exe, b"600"])
    try:
        time.sleep(0.3)
        json_path, html_path = tmp_path / "r.json", tmp_path / "r.html"
        rc = main(
            [
                "--lang",
                "en",
                "scan",
                "--sample-seconds",
                "0",
                "--json",
                str(json_path),
                "--html",
                str(html_path),
            ]
        )
    finally:
        proc.kill()
        proc.wait()
    assert rc == 1, capsys.readouterr()
    report = json.loads(json_path.read_text(encoding="utf-8"))
    mine = [f for f in report["findings"] if f["subject"].get("pid") == proc.pid]
    kinds = {f["kind"] for f in mine}
    assert "undecodable_name" in kinds, kinds
    named = next(f for f in mine if f["kind"] == "undecodable_name")
    assert named["subject"]["exe"].endswith("/xmr\\xffig")
    assert named["title"]["zh"] != named["title"]["en"]
    assert not [e for e in report["errors"] if e["collector"] == "yara_files"]
    html = html_path.read_text(encoding="utf-8")
    assert "xmr\\xffig" in html


def test_a_packed_miner_hiding_behind_an_undecodable_name_is_still_mining(tmp_path):
    """The name that is not valid text is what a miner hides behind: it must still be found
    (memory YARA; the name is one more weak finding) and reported escaped."""
    from tests.fixtures.miners import launch
    from tests.fixtures.miners.conftest_helpers import detect
    from tests.fixtures.miners.pool import StratumPool

    hide = Path(os.fsdecode(os.path.join(os.fsencode(tmp_path), b".cache-\xff")))
    exe = launch.copy_interpreter(hide / os.fsdecode(b"xmr\xffig"))
    launch.write_packed_miner(hide / "update.py")
    with StratumPool() as pool:
        (hide / "config.json").write_text(
            json.dumps({"pools": [{"url": f"127.0.0.1:{pool.port}", "user": launch.WALLET}]})
        )
        miner = launch.spawn([exe, "update.py"], cwd=hide, env={"FAKE_MINER_DELETE_CONFIG": "1"})
        try:
            launch.wait_logged_in(pool)
            findings, verdict, ctx = detect([miner.pid], tmp_path)
        finally:
            launch.stop(miner)
    assert verdict.status.value == "mining", [f.title.en for f in findings]
    assert not [e for e in ctx.errors if e.collector in ("yara_files", "yara_memory")]
    named = [f for f in findings if f.kind == "undecodable_name"]
    assert named and named[0].subject.exe.endswith(".cache-\\xff/xmr\\xffig")
    report = Report(
        agent={"version": "0", "platform": "linux"},
        device=DeviceIdentity(fingerprint="ab" * 32, hostname="h"),
        findings=findings,
        verdict=verdict,
    )
    _no_raw_control(report.model_dump_json())


def test_the_agent_escapes_what_the_collector_refuses():
    """Built on the agent, OS text is escaped and clipped; received over the wire
    (context=WIRE), the same text is refused (issue 12 item 6 meets issue 11 item 2)."""
    from pydantic import ValidationError

    from agent.wire.checks import WIRE

    subject = Subject(exe="/tmp/xmr\udcffig", user="a\x00b")
    assert subject.exe == "/tmp/xmr\\xffig" and subject.user == "a\\x00b"
    identity = DeviceIdentity(fingerprint="ab" * 32, hostname="h" * 300)
    assert len(identity.hostname) == 255
    raw = '{"exe": "a\\u0000b"}'
    assert Subject.model_validate_json(raw).exe == "a\\x00b"
    with pytest.raises(ValidationError, match="NUL"):
        Subject.model_validate_json(raw, context=WIRE)
