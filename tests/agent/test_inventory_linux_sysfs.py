"""Linux readers against small fake /proc, /sys and /etc trees (hardware this machine lacks)."""

from __future__ import annotations

import os
from pathlib import Path

from agent.collectors.base import ScanContext
from agent.collectors.pci_names import adapter_name, is_discrete
from agent.platform.linux.cpu import parse_cpuinfo, read_cpu
from agent.platform.linux.disks import list_block_devices
from agent.platform.linux.dmi import read_dmi
from agent.platform.linux.gpu import list_drm_adapters
from agent.platform.linux.hardware import raw_identity as read_raw_linux
from agent.platform.linux.net import list_nic_kinds
from agent.platform.linux.sysfs import Root
from agent.platform.linux.system import domain, machine_id, os_release, server_reason


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")
    return path


class DeniedRoot(Root):
    """A tree where some files are root-only (as /sys/class/dmi/id serials are)."""

    def __init__(self, root: Path, denied: set[str]) -> None:
        super().__init__(root)
        self.denied = denied

    def read_strict(self, *parts: str) -> str | None:
        if parts[-1] in self.denied:
            raise PermissionError(13, "Permission denied")
        return super().read_strict(*parts)


def dmi_tree(tmp_path: Path) -> Path:
    d = "sys/class/dmi/id/"
    write(tmp_path, d + "product_uuid", "4c4c4544-0042-4810-8052-b4c04f4e3132")
    write(tmp_path, d + "board_serial", "/7XK2QK2/CN129636BR01Q/")
    write(tmp_path, d + "product_serial", "7XK2QK2")
    write(tmp_path, d + "sys_vendor", "Dell Inc.")
    write(tmp_path, d + "product_name", "OptiPlex 7070")
    write(tmp_path, d + "chassis_type", "3")
    write(tmp_path, "etc/machine-id", "0123456789abcdef0123456789abcdef")
    return tmp_path


def test_dmi_read_as_root(tmp_path) -> None:
    facts = read_dmi(Root(dmi_tree(tmp_path)))
    assert facts.present and facts.denied == []
    assert facts.values["product_serial"] == "7XK2QK2"
    raw = read_raw_linux(ScanContext(), Root(tmp_path))
    assert raw.system_uuid == "4c4c4544-0042-4810-8052-b4c04f4e3132"
    assert raw.manufacturer == "Dell Inc." and raw.machine_id == "0123456789abcdef0123456789abcdef"


def test_dmi_without_root_records_a_limitation_and_keeps_what_is_readable(tmp_path) -> None:
    root = DeniedRoot(dmi_tree(tmp_path), {"product_uuid", "board_serial", "product_serial"})
    ctx = ScanContext()
    raw = read_raw_linux(ctx, root)
    assert raw.system_uuid is None and raw.board_serial is None
    assert raw.product == "OptiPlex 7070"  # world-readable
    assert raw.denied == ("product_uuid", "board_serial", "product_serial")
    assert ctx.limitations == []  # said by collect_identity unless a root run's cache helps


def test_no_dmi_folder_is_a_limitation(tmp_path) -> None:
    ctx = ScanContext()
    raw = read_raw_linux(ctx, Root(tmp_path))
    assert raw.system_uuid is None and "SMBIOS" in ctx.limitations[0].en


CPUINFO_2_SOCKETS = "\n\n".join(
    f"processor\t: {i}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6248 CPU "
    f"@ 2.50GHz\nphysical id\t: {i // 4}\ncore id\t\t: {(i // 2) % 2}\ncpu MHz\t\t: 1000.000\n"
    "flags\t\t: fpu sse4_2 aes avx avx2 avx512f adx bmi2"
    for i in range(8)
)


def test_cpuinfo_counts_physical_cores_across_sockets(tmp_path) -> None:
    first, cores = parse_cpuinfo(CPUINFO_2_SOCKETS)
    assert cores == 4 and first["vendor_id"] == "GenuineIntel"
    write(tmp_path, "proc/cpuinfo", CPUINFO_2_SOCKETS)
    write(tmp_path, "sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq", "3900000")
    cpu = read_cpu(Root(tmp_path))
    assert cpu.base_mhz == 2500.0  # from the brand string, not the current 'cpu MHz'
    assert cpu.max_mhz == 3900.0
    assert {"aes", "avx2", "avx512f"} <= cpu.flags


def test_cpuinfo_arm(tmp_path) -> None:
    write(
        tmp_path,
        "proc/cpuinfo",
        "processor\t: 0\nBogoMIPS\t: 48.00\n"
        "Features\t: fp asimd aes pmull sha1 sha2 crc32\nCPU implementer\t: 0x41\n",
    )
    cpu = read_cpu(Root(tmp_path))
    assert cpu.vendor == "0x41" and "sha2" in cpu.flags and cpu.brand is None


def drm_card(
    root: Path,
    card: str,
    bus: str,
    vendor: str,
    device: str,
    vram: int | None = None,
    driver: str = "amdgpu",
) -> None:
    dev = root / "sys/devices/pci0000:00" / bus
    write(root, f"sys/devices/pci0000:00/{bus}/vendor", vendor)
    write(root, f"sys/devices/pci0000:00/{bus}/device", device)
    if vram is not None:
        write(root, f"sys/devices/pci0000:00/{bus}/mem_info_vram_total", str(vram))
        write(root, f"sys/devices/pci0000:00/{bus}/mem_info_vram_used", str(vram // 4))
        write(root, f"sys/devices/pci0000:00/{bus}/gpu_busy_percent", "97")
    drv = root / "sys/bus/pci/drivers" / driver
    drv.mkdir(parents=True, exist_ok=True)
    (dev / "driver").symlink_to(drv)
    (root / "sys/class/drm" / card).mkdir(parents=True, exist_ok=True)
    (root / "sys/class/drm" / card / "device").symlink_to(dev)


def test_drm_adapters(tmp_path) -> None:
    drm_card(tmp_path, "card0", "0000:00:02.0", "0x8086", "0x4680", driver="i915")
    drm_card(tmp_path, "card1", "0000:03:00.0", "0x1002", "0x73bf", vram=16 * 2**30)
    drm_card(tmp_path, "card2", "0000:01:00.0", "0x10de", "0x2204", driver="nouveau")
    (tmp_path / "sys/class/drm/card1-DP-1").mkdir()  # a connector, not a card
    found = {a.card: a for a in list_drm_adapters(Root(tmp_path))}
    assert set(found) == {"card0", "card1", "card2"}
    amd = found["card1"]
    assert (amd.vendor_id, amd.device_id, amd.pci_bus_id) == ("1002", "73bf", "0000:03:00.0")
    assert amd.vram_bytes == 16 * 2**30 and amd.driver == "amdgpu"
    assert amd.busy_percent == 97.0 and amd.vram_used_bytes == 4 * 2**30
    assert found["card0"].driver == "i915"
    assert adapter_name("1002", "73bf") == "AMD Radeon RX 6800 / 6800 XT / 6900 XT"
    assert adapter_name("1002", "7480") == "AMD GPU [1002:7480]"
    assert is_discrete("1002", "73bf", 16384) is True and is_discrete("8086", "4680", None) is False


def test_block_devices_model_and_serial(tmp_path) -> None:
    write(tmp_path, "sys/block/nvme0n1/size", "1000215216")
    write(tmp_path, "sys/block/nvme0n1/device/model", "Samsung SSD 970 EVO Plus 500GB")
    write(tmp_path, "sys/block/nvme0n1/device/serial", "S4EVNX0N123456")
    write(tmp_path, "sys/block/nvme0n1/queue/rotational", "0")
    write(tmp_path, "sys/block/sda/size", "3907029168")
    write(tmp_path, "sys/block/sda/device/model", "ST2000DM008-2FR1")
    write(tmp_path, "sys/block/sda/queue/rotational", "1")
    write(tmp_path, "sys/block/sda/dev", "8:0")
    write(
        tmp_path,
        "run/udev/data/b8:0",
        "S:disk/by-id/ata-ST2000\nE:ID_SERIAL=ST2000DM008_ZFL1ABCD\nE:ID_SERIAL_SHORT=ZFL1ABCD",
    )
    write(tmp_path, "sys/block/loop0/size", "100")
    disks = {d.name: d for d in list_block_devices(Root(tmp_path))}
    assert set(disks) == {"nvme0n1", "sda"}
    assert disks["nvme0n1"].serial == "S4EVNX0N123456" and disks["nvme0n1"].rotational is False
    assert disks["sda"].serial == "ZFL1ABCD" and disks["sda"].size_bytes == 3907029168 * 512


def test_network_kinds(tmp_path) -> None:
    for name, parent in [
        ("enp3s0", "devices/pci0000:00/0000:03:00.0/net"),
        ("wlp2s0", "devices/pci0000:00/0000:02:00.0/net"),
        ("wlx0013ef", "devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/net"),
        ("docker0", "devices/virtual/net"),
        ("veth1a2b", "devices/virtual/net"),
    ]:
        target = tmp_path / "sys" / parent / name
        write(tmp_path, f"sys/{parent}/{name}/address", "d4:5d:64:1a:2b:3c")
        if "virtual" not in parent:
            (target / "device").symlink_to(target.parent.parent)
        (tmp_path / "sys/class/net").mkdir(parents=True, exist_ok=True)
        (tmp_path / "sys/class/net" / name).symlink_to(target)
    write(tmp_path, "sys/devices/pci0000:00/0000:03:00.0/net/enp3s0/speed", "1000")
    write(tmp_path, "sys/devices/pci0000:00/0000:02:00.0/net/wlp2s0/speed", "-1")
    kinds = list_nic_kinds(Root(tmp_path))
    assert {n for n, k in kinds.items() if k.physical} == {"enp3s0", "wlp2s0", "wlx0013ef"}
    assert {n for n, k in kinds.items() if k.usb} == {"wlx0013ef"}
    assert kinds["enp3s0"].speed_mbps == 1000 and kinds["wlp2s0"].speed_mbps is None


def test_os_release_machine_id_domain_and_server(tmp_path) -> None:
    write(
        tmp_path,
        "etc/os-release",
        'NAME="Rocky Linux"\nVERSION_ID="9.3"\n'
        'PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"\n# comment\nVARIANT_ID=server',
    )
    root = Root(tmp_path)
    rel = os_release(root)
    assert rel["PRETTY_NAME"] == "Rocky Linux 9.3 (Blue Onyx)" and rel["VERSION_ID"] == "9.3"
    assert server_reason(root, rel) == "os_variant=server"
    assert server_reason(root, {"NAME": "Ubuntu"}) is None
    write(tmp_path, "sys/class/dmi/id/chassis_type", "23")
    assert server_reason(root, {"NAME": "Ubuntu"}) == "chassis_type=23"
    assert machine_id(root) is None
    write(tmp_path, "etc/machine-id", "0" * 32)
    assert machine_id(root) is None  # an image's blank machine-id
    write(tmp_path, "proc/sys/kernel/domainname", "(none)")
    assert domain(root, "lab-pc-01") is None
    assert domain(root, "lab-pc-01.school.edu.cn") == "school.edu.cn"
    write(tmp_path, "etc/krb5.conf", "[libdefaults]\n    default_realm = XX-SCHOOL.LOCAL\n")
    assert domain(root, "lab-pc-01") == "xx-school.local"


def test_multi_user_default_target_counts_as_server(tmp_path) -> None:
    target = tmp_path / "usr/lib/systemd/system/multi-user.target"
    write(tmp_path, "usr/lib/systemd/system/multi-user.target", "[Unit]")
    link = tmp_path / "etc/systemd/system/default.target"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    assert server_reason(Root(tmp_path), {}) == "default.target=multi-user"
    assert os.path.islink(link)


def test_gpu_collector_merges_nvml_and_drm_without_duplicates(
    tmp_path, monkeypatch, platform_as
) -> None:
    import agent.platform.linux.gpu as linux_gpu
    from agent.collectors.gpu import collect_gpus
    from tests.fixtures.nvml_fake import FakeGpu, make_fake_nvml

    drm_card(tmp_path, "card0", "0000:00:02.0", "0x8086", "0x4680", driver="i915")
    drm_card(tmp_path, "card1", "0000:03:00.0", "0x1002", "0x73bf", vram=16 * 2**30)
    drm_card(tmp_path, "card2", "0000:01:00.0", "0x10de", "0x2503", driver="nvidia")
    original = linux_gpu.list_drm_adapters
    monkeypatch.setattr(linux_gpu, "list_drm_adapters", lambda root=None: original(Root(tmp_path)))
    platform_as("linux")
    ctx = ScanContext()
    gpus = collect_gpus(ctx, make_fake_nvml([FakeGpu(bus_id="00000000:01:00.0")]))
    assert [(g.source, g.vendor) for g in gpus] == [
        ("nvml", "nvidia"),
        ("sysfs", "intel"),
        ("sysfs", "amd"),
    ]
    amd = gpus[2]
    assert amd.discrete is True and amd.utilization_percent == 97.0
    assert amd.memory_total_mb == 16384 and amd.memory_used_mb == 4096
    assert ctx.errors == [] and ctx.limitations == []
    # the NVIDIA driver missing: the card is listed from sysfs and the gap is said
    ctx = ScanContext()
    gpus = collect_gpus(ctx, make_fake_nvml(init_error="DriverNotLoaded"))
    nvidia = [g for g in gpus if g.vendor == "nvidia"]
    assert [(g.source, g.name) for g in nvidia] == [("sysfs", "NVIDIA GeForce RTX 3060")]
    assert ctx.errors == [] and "NVIDIA" in ctx.limitations[0].en
