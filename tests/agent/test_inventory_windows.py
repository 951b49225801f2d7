"""Windows inventory paths, fed with recorded WMI/registry fixtures (tests/fixtures/windows)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest

import agent.platform.nvml
from agent.collectors import nics as nics_mod
from agent.collectors.base import ScanContext
from agent.collectors.fingerprint import fingerprint, identity_parts
from agent.collectors.inventory import collect_inventory
from agent.platform import portable
from agent.platform.windows import inventory as win
from agent.platform.windows import source as source_mod
from agent.platform.windows.source import FixtureSource
from tests.fixtures.nvml_fake import FakeGpu, make_fake_nvml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "windows"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def windows(monkeypatch, platform_as):
    """Select agent.platform.windows, answering from a recorded fixture."""

    def use(name: str, nvml=None) -> FixtureSource:
        data = load(name)
        src = FixtureSource(data)
        platform_as("windows")
        monkeypatch.setattr(source_mod, "default_source", lambda: src)
        monkeypatch.setattr(portable, "py_cpuinfo", lambda: data["cpuinfo"])
        monkeypatch.setattr(portable, "psutil_counts", lambda: (None, None))
        monkeypatch.setattr(portable, "psutil_max_mhz", lambda: None)
        monkeypatch.setattr(
            nics_mod,
            "psutil_nics",
            lambda: {
                name: nics_mod.PsutilNic(
                    name=name,
                    mac=nics_mod.normalize_mac(v["mac"]),
                    ipv4=v["ipv4"],
                    ipv6=v["ipv6"],
                    up=v["up"],
                    speed_mbps=v["speed"] or None,
                )
                for name, v in data["psutil"]["net_if"].items()
            },
        )
        fake = nvml or make_fake_nvml(init_error="LibraryNotFound")
        monkeypatch.setattr(agent.platform.nvml, "load_module", lambda module=None: module or fake)
        return src

    return use


def test_gaming_pc(windows) -> None:
    rtx = FakeGpu(name="NVIDIA GeForce RTX 3060", pci_device_id=0x250410DE, memory_total=12 * 2**30)
    windows("gaming_pc_rtx3060", nvml=make_fake_nvml([rtx]))
    ctx = ScanContext()
    identity, hw = collect_inventory(ctx)
    assert ctx.errors == []
    # OS
    assert hw.os.name == "Microsoft Windows 11 Pro" and hw.os.build == "22631"
    assert hw.os.hostname == "WANGBA-PC-017" and hw.os.domain == "WORKGROUP"
    assert hw.os.is_server is False and "guest" in hw.os.users
    assert hw.os.architecture == "64-bit"  # localised '64 位' normalised
    # identity: junk serials dropped, only the burned-in Ethernet MAC counts
    assert identity.parts.system_uuid == "8f3c2a10-5b7e-11ec-8d3d-d45d641a2b3c"
    assert identity.parts.system_serial is None  # 'To be filled by O.E.M.'
    assert identity.parts.board_serial == "07D4311_M71E123456"
    # not VMware, not the randomised Wi-Fi MAC, not the USB dongle
    assert identity.parts.macs == ["d4:5d:64:1a:2b:3c"]
    assert identity.machine_guid == "6f1c8a2e-93b4-4c1d-a5e7-2b9d0c4f7e11"
    assert identity.manufacturer == "Micro-Star International Co., Ltd."
    # CPU
    assert hw.cpu.brand == "12th Gen Intel(R) Core(TM) i5-12400F" and hw.cpu.vendor == "Intel"
    assert hw.cpu.logical_cores == 12 and hw.cpu.max_mhz == 2500
    assert hw.cpu.flags["sha_ni"] and hw.cpu.flags["avx2"] and not hw.cpu.flags["avx512f"]
    # GPU: NVML's card, not a second copy from WMI; no Basic Display Adapter
    assert [(g.source, g.name) for g in hw.gpus] == [("nvml", "NVIDIA GeForce RTX 3060")]
    assert hw.gpus[0].memory_total_mb == 12288
    # disks: serial padding stripped
    whole = [d for d in hw.disks if d.device.startswith("\\\\.\\PHYSICALDRIVE")]
    assert [d.serial for d in whole] == ["50026B7686A1B2C3_", "ZFL1ABCD"]
    assert whole[0].size_gb == 1000.2
    # NICs
    by_name = {n.name: n for n in hw.nics}
    assert by_name["以太网"].physical is True and by_name["以太网"].ipv4 == ["192.168.10.117"]
    assert by_name["VMware Network Adapter VMnet8"].physical is False
    assert by_name["WLAN"].physical is True and by_name["WLAN"].up is False
    assert by_name["WLAN 2"].physical is True and by_name["WLAN 2"].speed_mbps == 433
    assert by_name["Loopback Pseudo-Interface 1"].physical is None
    # high performance: a discrete 12 GB GPU
    assert hw.high_performance.is_high_performance
    assert hw.high_performance.category == "gpu_workstation"
    assert "12288 MB" in hw.high_performance.reasons[0].en
    assert "显存" in hw.high_performance.reasons[0].zh


def test_gaming_pc_without_nvidia_driver_takes_vram_from_registry(windows) -> None:
    windows("gaming_pc_rtx3060")
    ctx = ScanContext()
    _, hw = collect_inventory(ctx)
    (gpu,) = hw.gpus
    assert (gpu.source, gpu.vendor, gpu.pci_id) == ("wmi", "nvidia", "10de:2504")
    # AdapterRAM is a uint32 capped near 4 GB; the registry's qwMemorySize says 12 GB
    assert gpu.memory_total_mb == 12288 and gpu.driver_version == "31.0.15.5176"
    assert hw.high_performance.category == "gpu_workstation"
    assert any("NVIDIA" in t.en for t in ctx.limitations)
    assert ctx.errors == []


def test_office_pc(windows) -> None:
    windows("office_pc_optiplex")
    ctx = ScanContext()
    identity, hw = collect_inventory(ctx)
    assert ctx.errors == []
    assert hw.os.domain == "xx-school.local" and hw.os.name == "Microsoft Windows 10 专业版"
    assert "zhanglaoshi" in hw.os.users
    assert identity.parts.system_serial == "7XK2QK2"
    assert identity.parts.board_serial == "/7XK2QK2/CN129636BR01Q/"
    assert identity.parts.macs == ["a4:bb:6d:12:34:56"]  # the Hyper-V switch is excluded
    (gpu,) = hw.gpus
    assert gpu.name == "Intel(R) UHD Graphics 630" and gpu.discrete is False
    assert gpu.memory_total_mb == 1024
    assert hw.cpu.physical_cores == 6 and hw.cpu.logical_cores == 6
    assert hw.cpu.base_mhz == 3000.0
    assert not hw.high_performance.is_high_performance and hw.high_performance.reasons == []


def test_server(windows) -> None:
    windows("server_2019")
    ctx = ScanContext()
    identity, hw = collect_inventory(ctx)
    assert ctx.errors == []
    assert hw.os.is_server and hw.cpu.logical_cores == 80
    assert hw.high_performance.category == "server"
    assert {r.en.split(":")[0] for r in hw.high_performance.reasons} >= {"Server operating system"}
    assert any("80 logical CPU cores" in r.en for r in hw.high_performance.reasons)
    assert identity.parts.macs == ["d0:94:66:aa:bb:01", "d0:94:66:aa:bb:02"]
    nic2 = next(n for n in hw.nics if n.name == "NIC2")
    assert nic2.speed_mbps is None  # Speed 2**63-1 means unknown


def test_cloned_cafe_pcs_stay_apart_but_reimaging_keeps_identity() -> None:
    data = load("gaming_pc_rtx3060")
    a = win.read_identity(FixtureSource(data))
    # a cloned image on the neighbour PC: same MachineGuid, its own board and NIC
    data2 = json.loads(json.dumps(data))
    data2["wmi"]["Win32_BaseBoard"][0]["SerialNumber"] = "07D4311_M71E654321"
    data2["wmi"]["Win32_ComputerSystemProduct"][0]["UUID"] = "8F3C2A10-5B7E-11EC-8D3D-D45D641A2B3D"
    b = win.read_identity(FixtureSource(data2))
    assert a.machine_guid == b.machine_guid
    fa = fingerprint(
        identity_parts(a.system_uuid, a.board_serial, a.system_serial, ["d4:5d:64:1a:2b:3c"])
    )
    fb = fingerprint(
        identity_parts(b.system_uuid, b.board_serial, b.system_serial, ["d4:5d:64:1a:2b:3d"])
    )
    assert fa != fb
    # re-imaged (new MachineGuid), same hardware: same fingerprint
    data3 = json.loads(json.dumps(data))
    data3["registry"]["SOFTWARE\\Microsoft\\Cryptography"]["MachineGuid"] = "ffff"
    c = win.read_identity(FixtureSource(data3))
    fc = fingerprint(
        identity_parts(c.system_uuid, c.board_serial, c.system_serial, ["d4:5d:64:1a:2b:3c"])
    )
    assert fc == fa and c.machine_guid != a.machine_guid


def test_cim_datetime_and_values() -> None:
    boot = win.parse_cim_datetime("20261123081502.500000+480")
    assert boot == datetime(2026, 11, 23, 0, 15, 2, 500000, tzinfo=timezone.utc)
    assert win.parse_cim_datetime("garbage") is None
    assert win.parse_cim_datetime(None) is None
    os_info = win.read_os(FixtureSource(load("office_pc_optiplex")))
    assert os_info.boot_time == datetime(2026, 11, 19, 23, 30, 11, 123456, tzinfo=timezone.utc)
    assert win.as_int("1000202273280") == 1000202273280 and win.as_int(None) is None
    assert win.os_architecture("ARM 64-bit Processor") == "ARM64"
    assert win.os_architecture("32 位") == "32-bit"


def test_video_memory_registry_binary_and_cap() -> None:
    src = FixtureSource(load("office_pc_optiplex"))
    assert win.display_memory_by_ids(src) == {("8086", "3e92"): 2**30}
    server = win.read_video_controllers(FixtureSource(load("server_2019")))
    assert server[0].memory_source == "wmi" and server[0].memory_bytes == 16 * 2**20


def test_wmi_class_missing_is_a_collector_error(windows) -> None:
    src = windows("office_pc_optiplex")
    del src.wmi["Win32_DiskDrive"]
    ctx = ScanContext()
    identity, hw = collect_inventory(ctx)
    assert [e.collector for e in ctx.errors] == ["disks"]
    assert "Win32_DiskDrive" in (ctx.errors[0].detail or "")
    assert hw.gpus and hw.os and identity.parts.system_serial == "7XK2QK2"


def test_importing_windows_modules_does_not_import_wmi() -> None:
    code = (
        "import sys, agent.collectors.inventory, agent.platform.windows.inventory, "
        "agent.platform.windows.source, agent.platform.windows.hardware, "
        "agent.platform.windows.persistence, agent.platform.windows.memory; "
        "bad = {'wmi', 'winreg', 'pythoncom', 'cpuinfo'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=FIXTURES.parents[2])


class _FakeWmiObject:
    def __init__(self, **props) -> None:
        self.__dict__.update(props)
        self.properties = dict.fromkeys(props)


class _FakeWmi:
    def __init__(self, hang_on: str | None = None) -> None:
        self.hang_on = hang_on
        self.release = threading.Event()
        self.threads: set[str] = set()

    def query(self, wql: str):
        self.threads.add(threading.current_thread().name)
        if self.hang_on and self.hang_on in wql:
            self.release.wait(5)
        if "Win32_Bogus" in wql:
            raise RuntimeError("x_wmi: Invalid class")
        return [_FakeWmiObject(Caption="Microsoft Windows 11 Pro", BuildNumber="22631")]


def test_live_source_rows_errors_and_worker_thread() -> None:
    fake = _FakeWmi()
    src = source_mod.LiveSource(timeout=5, connect=lambda: fake)
    rows = src.query("SELECT Caption, BuildNumber FROM Win32_OperatingSystem")
    assert rows == [{"Caption": "Microsoft Windows 11 Pro", "BuildNumber": "22631"}]
    with pytest.raises(RuntimeError, match="Invalid class"):
        src.query("SELECT * FROM Win32_Bogus")
    assert src.query("SELECT Caption FROM Win32_OperatingSystem")  # still usable after an error
    assert fake.threads == {"wmi"}  # one COM-owning worker thread


def test_hanging_wmi_gives_a_clear_error_and_later_queries_fail_fast(windows) -> None:
    fake = _FakeWmi(hang_on="Win32_DiskDrive")
    live = source_mod.LiveSource(timeout=0.3, connect=lambda: fake)
    recorded = windows("office_pc_optiplex")

    class Mixed:
        """Live (fake COM) WMI for queries, the recording for the registry."""

        query = staticmethod(live.query)
        reg_values = staticmethod(recorded.reg_values)
        reg_subkeys = staticmethod(recorded.reg_subkeys)

    source_mod.default_source = lambda: Mixed()  # restored by the windows fixture
    ctx = ScanContext()
    try:
        collect_inventory(ctx)
    finally:
        fake.release.set()
    by = {e.collector: e for e in ctx.errors}
    assert by["disks"].kind == "unavailable" and "winmgmt" in by["disks"].message.en
    assert "WMI" in by["disks"].message.zh
    # every query after the hang fails at once with the same message (nics, identity, ...)
    assert by["nics"].kind == "unavailable"
    assert "os" not in by and "gpu" not in by  # answered before the hang


def test_amd_card_from_wmi_with_registry_vram(monkeypatch, windows) -> None:
    src = windows("gaming_pc_rtx3060")
    src.wmi["Win32_VideoController"] = [
        {
            "Name": "Radeon RX 580 Series",
            "AdapterRAM": 4293918720,
            "PNPDeviceID": "PCI\\VEN_1002&DEV_67DF&SUBSYS_E3661DA2&REV_E7\\4&1E3B5A7C&0&0008",
            "DriverVersion": "31.0.21912.14",
        },
    ]
    key = win.DISPLAY_CLASS_KEY.lower() + "\\0000"
    src.registry[key] = {
        "DriverDesc": "Radeon RX 580 Series",
        "MatchingDeviceId": "PCI\\VEN_1002&DEV_67DF&REV_E7",
        "HardwareInformation.qwMemorySize": 8 * 2**30,
    }
    ctx = ScanContext()
    _, hw = collect_inventory(ctx)
    (gpu,) = hw.gpus
    assert (gpu.vendor, gpu.pci_id, gpu.memory_total_mb) == ("amd", "1002:67df", 8192)
    assert gpu.discrete is True and hw.high_performance.category == "gpu_workstation"
    assert ctx.limitations == [] and ctx.errors == []  # no NVIDIA card: nothing to say


def test_card_without_its_driver_shows_as_basic_display_but_is_named_by_pci_id(windows) -> None:
    src = windows("gaming_pc_rtx3060")
    src.wmi["Win32_VideoController"] = [
        {
            "Name": "Microsoft Basic Display Adapter",
            "AdapterRAM": 0,
            "PNPDeviceID": "PCI\\VEN_10DE&DEV_2504&SUBSYS_397D1462&REV_A1\\4&2B8F7A3&0&0008",
            "DriverVersion": "10.0.22621.1",
        },
    ]
    src.registry.pop(win.DISPLAY_CLASS_KEY.lower() + "\\0000")  # no NVIDIA driver installed
    ctx = ScanContext()
    _, hw = collect_inventory(ctx)
    (gpu,) = hw.gpus
    assert gpu.name == "NVIDIA GeForce RTX 3060 Lite Hash Rate" and gpu.vendor == "nvidia"
    assert gpu.memory_total_mb is None and gpu.discrete is True  # AdapterRAM 0: unknown
    assert any("NVIDIA" in t.en for t in ctx.limitations)
