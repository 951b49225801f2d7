"""Verdict rules (DESIGN.md): strong -> mining, weak only -> suspicious, nothing -> clean;
sustained load alone is never mining; active vs passive with reasons."""

from __future__ import annotations

from agent.detect.engine import DetectionSettings, dedup, new_run
from agent.detect.findings import make_finding
from agent.detect.memregions import CHUNK, REGION_CAP, SAMPLE_BYTES, batches, select
from agent.detect.scanners import utilization as utilization_scanner
from agent.detect.verdict import decide
from agent.i18n import N_
from agent.platform.linux.memory import parse_maps
from agent.wire.report import (
    MiningMode,
    ProcessUsage,
    Strength,
    Subject,
    Utilization,
    VerdictStatus,
)
from tests.fixtures.miners.bundles import detection_bundle


def _utilization(bundle, util):
    """The utilization scanner alone, on no processes."""
    return utilization_scanner.run(new_run(bundle, DetectionSettings(), utilization=util))


def _f(kind, strength, pid=None, passive=None, user=None):
    return make_finding(
        kind,
        strength,
        N_("No action needed."),
        N_("No action needed."),
        subject=Subject(pid=pid, user=user),
        passive_hint=passive,
        rule=kind,
    )


def test_clean_suspicious_mining():
    assert decide([]).status == VerdictStatus.clean
    assert decide([_f("high_load_explained", Strength.info, 1)]).status == VerdictStatus.clean
    v = decide([_f("high_load", Strength.weak, 1)])
    assert v.status == VerdictStatus.suspicious and v.reasons and v.mode is None
    v = decide([_f("yara_memory", Strength.strong, 1), _f("high_load", Strength.weak, 1)])
    # no positive evidence that a person started it: undetermined, never "active" by default
    assert v.status == VerdictStatus.mining and v.mode == MiningMode.undetermined
    assert v.mode_reason and v.mode_reason.zh and v.mode_reason.en


def test_active_needs_a_user_running_a_program_from_their_own_home(tmp_path):
    import getpass
    import os

    user = getpass.getuser()
    home = os.path.realpath(os.path.expanduser("~"))
    mine = make_finding(
        "miner_cmdline",
        Strength.strong,
        N_("No action needed."),
        N_("No action needed."),
        subject=Subject(
            pid=1, user=user, exe="/usr/bin/python3", cmdline=f"python3 {home}/miners/xmrig.py -o x"
        ),
        rule="r",
    )
    v = decide([mine])
    assert v.mode == MiningMode.active and user in v.mode_reason.en
    elsewhere = mine.model_copy(
        update={
            "subject": mine.subject.model_copy(update={"cmdline": f"python3 {tmp_path}/xmrig.py"})
        }
    )
    assert decide([elsewhere]).mode == MiningMode.undetermined


def test_passive_needs_a_hint_about_the_same_process_or_the_machine():
    unrelated = _f("hidden_location", Strength.weak, 2, passive=True)
    v = decide([_f("miner_cmdline", Strength.strong, 1), unrelated])
    assert v.mode == MiningMode.undetermined
    v = decide(
        [
            _f("miner_cmdline", Strength.strong, 1),
            _f("hidden_location", Strength.weak, 1, passive=True),
        ]
    )
    assert v.mode == MiningMode.passive and "passive" in v.reasons[0].en
    v = decide(
        [
            _f("miner_cmdline", Strength.strong, 1),
            _f("persistence_suspicious", Strength.weak, None, passive=True),
        ]
    )
    assert v.mode == MiningMode.passive
    v = decide([_f("miner_cmdline", Strength.strong, 1, user="NT AUTHORITY\\SYSTEM")])
    assert v.mode == MiningMode.passive
    assert any("SYSTEM" in r.en for r in v.reasons)


def test_sustained_load_alone_is_never_mining():
    b = detection_bundle()
    benign = next(iter(b.benign_heavy))
    util = Utilization(
        window_seconds=10,
        samples=20,
        top_processes=[
            ProcessUsage(pid=11, name=benign, cpu_percent=190, cpu_seconds=19),
            ProcessUsage(pid=12, name="mystery", cpu_percent=99, cpu_seconds=9.9),
            ProcessUsage(pid=13, name="idle", cpu_percent=1, cpu_seconds=0.1),
        ],
        invisible_cpu_percent=45,
    )
    findings = _utilization(b, util)
    strengths = {f.subject.pid: f.strength for f in findings if f.subject.pid}
    assert strengths == {11: Strength.info, 12: Strength.weak}
    assert any(f.kind == "hidden_cpu" for f in findings)
    quiet = util.model_copy(update={"invisible_cpu_percent": 12.0, "top_processes": []})
    assert _utilization(b, quiet) == []
    many = util.model_copy(update={"logical_cores": 64, "top_processes": []})
    assert _utilization(b, many) == []  # 45% of one core of 64
    assert decide(findings).status == VerdictStatus.suspicious


def test_dedup_keeps_the_stronger():
    a = _f("miner_cmdline", Strength.weak, 5)
    b = _f("miner_cmdline", Strength.strong, 5)
    assert dedup([a, b, a]) == [b]


MAPS = """\
55d0c0000000-55d0c0400000 r-xp 00000000 08:01 131 /opt/x/xmrig
55d0c0400000-55d0c0500000 r--p 00400000 08:01 131 /opt/x/xmrig
55d0c1000000-55d0c1100000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0082000000 rw-p 00000000 00:00 0
7f0090000000-7f0090200000 rw-p 00000000 00:00 0
7f00a0000000-7f00a0200000 r-xp 00000000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6
7f00b0000000-7f00b0100000 rw-s 00000000 00:05 7 /dev/zero (deleted)
7f00c0000000-7f00c0100000 rw-s 00000000 00:00 0
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
7ffd00100000-7ffd00102000 r--p 00000000 00:00 0 [vvar]
"""


def test_region_selection_skips_libraries_and_samples_huge_regions():
    regions = parse_maps(MAPS)
    chosen = dict(select(regions, "/opt/x/xmrig"))
    assert chosen[0x55D0C0000000] == 0x400000 and chosen[0x55D0C0400000] == 0x100000
    assert chosen[0x55D0C1000000] == 0x100000  # heap
    assert chosen[0x7F0000000000] == SAMPLE_BYTES  # 2 GB dataset: only its start
    assert chosen[0x7F0090000000] == 0x200000
    assert 0x7F00A0000000 not in chosen and 0x7F00B0000000 not in chosen  # libc, shared
    assert 0x7FFD00100000 not in chosen  # vvar
    assert REGION_CAP < 0x7F0082000000 - 0x7F0000000000


def test_batches_overlap_and_cover_everything():
    ranges = [(0, CHUNK * 2 + 100), (10**9, 50)]
    pieces = [p for batch in batches(ranges) for p in batch]
    covered = set()
    for start, length in pieces:
        assert length <= CHUNK + 4096
        covered.add(start + length)
    assert CHUNK * 2 + 100 in covered and 10**9 + 50 in covered
    assert pieces[1][0] == CHUNK - 4096  # the second piece re-reads the overlap


def test_windows_region_selection_from_recorded_virtualqueryex():
    import json
    from pathlib import Path

    from agent.platform.windows.memory import RawRegion, to_regions

    rec = json.loads(
        (
            Path(__file__).resolve().parents[1]
            / "fixtures"
            / "windows_detect"
            / "virtualquery_xmrig.json"
        ).read_text()
    )
    raw = [RawRegion(**r) for r in rec["regions"]]
    chosen = dict(select(to_regions(raw, rec["exe"]), rec["exe"]))
    image = [r for r in raw if r.mapped_file.endswith("svchost.exe")]
    assert all(chosen[r.base] == r.size for r in image)  # the whole miner image
    assert chosen[2097152000] == 1048576  # heap-like private region
    assert chosen[2214592512] == SAMPLE_BYTES  # 2 GB RandomX dataset: sampled only
    assert chosen[4429185024] == SAMPLE_BYTES  # 256 MB cache: sampled only
    assert chosen[6303744] == 20480
    skipped = {
        140735370018816,
        140735355338752,
        2098200576,
        4697620480,
        4698447872,
        6291456,
        6324224,
        6328320,
    }  # DLLs, reserved, mapped, guard, no-access, free
    assert not skipped & set(chosen)
    assert sum(chosen.values()) < 12 * 2**20


def test_weak_findings_of_one_program_are_grouped():
    from agent.detect.engine import group_same_program
    from agent.i18n import localized
    from agent.wire.report import Finding, Strength, Subject

    def weak(pid: int, exe: str) -> Finding:
        return Finding(
            kind="deleted_executable",
            strength=Strength.weak,
            title=localized("Service removed."),
            action=localized("Service removed."),
            subject=Subject(pid=pid, exe=exe),
        )

    out = group_same_program([weak(1, "/memfd:a"), weak(2, "/memfd:a"), weak(3, "/x/b")])
    assert [f.subject.pid for f in out] == [1, 3]
    assert out[0].evidence == ["PID 2"]
