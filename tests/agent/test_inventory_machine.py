"""Inventory of this machine, checked against the machine's own truth (/proc, /sys, psutil)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import psutil
import pytest

from agent.collectors import inventory as inv_mod
from agent.collectors.base import ScanContext
from agent.collectors.inventory import collect_inventory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux truth")


@pytest.fixture(scope="module")
def inventory():
    ctx = ScanContext(privileged=os.geteuid() == 0)
    identity, hw = collect_inventory(ctx)
    return ctx, identity, hw


def proc_meminfo_kb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def test_no_collector_failed(inventory) -> None:
    ctx, _, hw = inventory
    assert ctx.errors == []
    assert hw.os and hw.cpu and hw.memory


def test_os_facts(inventory) -> None:
    _, identity, hw = inventory
    assert hw.os.hostname == socket.gethostname() == identity.hostname
    assert hw.os.boot_time.timestamp() == pytest.approx(psutil.boot_time(), abs=1)
    assert hw.os.build == os.uname().release
    assert hw.os.architecture == os.uname().machine
    release = Path("/etc/os-release").read_text()
    assert f'PRETTY_NAME="{hw.os.name}"' in release or f"PRETTY_NAME={hw.os.name}" in release
    assert hw.os.users == sorted({u.name for u in psutil.users()})


def test_cpu_facts(inventory) -> None:
    _, _, hw = inventory
    assert hw.cpu.logical_cores == os.cpu_count()
    assert hw.cpu.physical_cores == psutil.cpu_count(logical=False)
    text = Path("/proc/cpuinfo").read_text()
    flags_line = next((ln for ln in text.splitlines() if ln.startswith(("flags", "Features"))), "")
    flags = set(flags_line.partition(":")[2].split())
    assert hw.cpu.flags["aes"] == ("aes" in flags)
    assert hw.cpu.flags["avx2"] == ("avx2" in flags)
    assert hw.cpu.flags["avx512f"] == ("avx512f" in flags)
    model = next(
        (ln.partition(":")[2].strip() for ln in text.splitlines() if ln.startswith("model name")),
        None,
    )
    assert hw.cpu.brand == model


def test_memory_matches_proc_meminfo(inventory) -> None:
    _, _, hw = inventory
    assert hw.memory.total_mb == pytest.approx(proc_meminfo_kb("MemTotal") / 1024, abs=0.1)
    assert hw.memory.swap_total_mb == pytest.approx(proc_meminfo_kb("SwapTotal") / 1024, abs=0.1)


def test_nics_match_sys_class_net(inventory) -> None:
    _, _, hw = inventory
    names = {n.name for n in hw.nics}
    assert names == set(os.listdir("/sys/class/net")) | set(psutil.net_if_addrs())
    for nic in hw.nics:
        addr = Path(f"/sys/class/net/{nic.name}/address")
        if addr.exists() and addr.read_text().strip() not in ("", "00:00:00:00:00:00"):
            assert nic.mac == addr.read_text().strip().lower()
        virtual = os.path.realpath(f"/sys/class/net/{nic.name}").startswith("/sys/devices/virtual")
        if virtual:
            assert nic.physical is False
    lo = next(n for n in hw.nics if n.name == "lo")
    assert "127.0.0.1" in lo.ipv4 and lo.up and lo.physical is False


def test_whole_disks_match_sys_block(inventory) -> None:
    _, _, hw = inventory
    whole = {d.device: d for d in hw.disks if d.mountpoint is None}
    expected = {
        f"/dev/{n}"
        for n in os.listdir("/sys/block")
        if not n.startswith(("loop", "ram", "zram", "dm-", "md", "sr", "nbd"))
    }
    assert set(whole) == expected
    for dev, disk in whole.items():
        sectors = int(Path(f"/sys/block/{dev[5:]}/size").read_text())
        assert disk.size_gb == pytest.approx(sectors * 512 / 1e9, abs=0.05)
    mounted = {d.mountpoint for d in hw.disks if d.mountpoint}
    assert "/" in mounted


def test_identity_never_uses_the_hostname(inventory) -> None:
    _, identity, _ = inventory
    assert len(identity.fingerprint) == 64
    assert socket.gethostname() not in identity.model_dump_json(exclude={"hostname"})
    mid = Path("/etc/machine-id")
    if mid.exists():
        assert identity.machine_id == mid.read_text().strip()


def test_inventory_is_repeatable() -> None:
    a, _ = collect_inventory(ScanContext())
    b, _ = collect_inventory(ScanContext())
    assert a.fingerprint == b.fingerprint


def test_failing_collector_lands_in_errors_and_the_rest_comes_out(monkeypatch) -> None:
    def broken(ctx, found):
        raise RuntimeError("cpuid exploded")

    def denied(ctx, found):
        raise PermissionError(13, "Permission denied", "/sys/class/dmi/id/board_serial")

    monkeypatch.setattr(inv_mod.by_name("cpu"), "collect", broken)
    monkeypatch.setattr(inv_mod.by_name("disks"), "collect", denied)
    ctx = ScanContext()
    identity, hw = collect_inventory(ctx)
    assert {e.collector: e.kind for e in ctx.errors} == {"cpu": "error", "disks": "permission"}
    cpu_error = next(e for e in ctx.errors if e.collector == "cpu")
    assert "RuntimeError" in cpu_error.message.en and "cpuid exploded" in cpu_error.detail
    assert cpu_error.message.zh != cpu_error.message.en  # translated
    assert hw.cpu is None and hw.disks == []
    assert hw.memory is not None and hw.os is not None and hw.nics
    assert identity.fingerprint


def test_identity_failure_still_gives_a_device(monkeypatch) -> None:
    def broken(ctx, found):
        raise OSError("dmi gone")

    monkeypatch.setattr(inv_mod.by_name("identity"), "collect", broken)
    ctx = ScanContext()
    identity, _ = collect_inventory(ctx)
    assert [e.collector for e in ctx.errors] == ["identity"]
    assert identity.hostname == socket.gethostname() and len(identity.fingerprint) == 64
