"""NVML access, the GPU sampler and the GPU collector, against a fake pynvml and the real one."""

from __future__ import annotations

import pytest

from agent.collectors.base import ScanContext
from agent.collectors.gpu import merge
from agent.platform.nvml import GpuSampler, NvmlSession, bus_id_text, cuda_version_text, nvml_gpus
from agent.wire.report import GPUInfo
from tests.fixtures.nvml_fake import FakeGpu, make_fake_nvml

MB = 2**20


def two_gpus() -> list[FakeGpu]:
    return [
        FakeGpu(
            compute=[(4242, 2048 * MB)],
            graphics=[(4242, 2048 * MB), (777, 300 * MB)],
            samples=[(4242, 1_000, 90), (4242, 2_000, 100), (777, 1_500, 5)],
        ),
        FakeGpu(
            name="NVIDIA GeForce RTX 3090",
            uuid="GPU-ffff0000-1111-2222-3333-444455556666",
            bus_id="00000000:02:00.0",
            pci_device_id=0x220410DE,
            memory_total=24 * 2**30,
            memory_used=10 * 2**30,
            utilization=98,
            power_mw=349_000,
            power_limit_mw=350_000,
            compute=[(4242, 8192 * MB)],
            samples=[(4242, 1_800, 97)],
        ),
    ]


@pytest.mark.parametrize("bytes_strings", [False, True])
def test_sample_reads_every_gpu_in_real_units(bytes_strings: bool) -> None:
    sampler = GpuSampler(make_fake_nvml(two_gpus(), bytes_strings=bytes_strings))
    assert sampler.available
    rows = sampler.sample()
    assert [r.index for r in rows] == [0, 1]
    assert rows[0].name == "NVIDIA GeForce RTX 3060"  # str even when pynvml gives bytes
    assert rows[1].uuid == "GPU-ffff0000-1111-2222-3333-444455556666"
    assert rows[0].power_w == 87.5  # milliwatts -> watts
    assert rows[1].memory_used_mb == 10240.0  # bytes -> MiB
    assert rows[1].utilization_percent == 98.0
    sampler.close()
    assert not sampler.available


def test_process_usage_sums_memory_and_averages_sm_since_last_call() -> None:
    fake = make_fake_nvml(two_gpus())
    sampler = GpuSampler(fake)
    usage = sampler.process_usage()
    # pid 4242: 2048 MiB on GPU 0 (compute and graphics list it once each) + 8192 on GPU 1
    assert usage[4242].memory_used_mb == 2048 + 8192
    assert usage[777].memory_used_mb == 300
    # SM %: average of GPU 0 samples (95) + GPU 1 (97)
    assert usage[4242].utilization_percent == 95 + 97
    assert usage[777].utilization_percent == 5
    # no newer samples: NVML answers NOT_FOUND, memory is still reported
    fake.gpus[0].samples.append((4242, 5_000, 40))
    again = sampler.process_usage()
    assert again[4242].utilization_percent == 40
    assert again[777].utilization_percent is None
    assert again[777].memory_used_mb == 300


def test_wddm_memory_unknown_and_process_utilization_not_supported() -> None:
    gpu = FakeGpu(
        graphics=[(999, None)],
        samples=[(999, 10, 50)],
        not_supported={"nvmlDeviceGetProcessUtilization"},
    )
    usage = GpuSampler(make_fake_nvml([gpu])).process_usage()
    assert usage[999].memory_used_mb is None
    assert usage[999].utilization_percent is None


@pytest.mark.parametrize("error", ["DriverNotLoaded", "LibraryNotFound"])
def test_no_driver_is_normal_not_an_error(error: str) -> None:
    sampler = GpuSampler(make_fake_nvml(two_gpus(), init_error=error))
    assert not sampler.available and sampler.error is None
    assert sampler.sample() == [] and sampler.process_usage() == {}
    ctx = ScanContext()
    assert nvml_gpus(ctx, make_fake_nvml(two_gpus(), init_error=error)) == []
    assert ctx.errors == []


def test_nvml_failure_other_than_no_driver_is_reported() -> None:
    sampler = GpuSampler(make_fake_nvml(two_gpus(), init_error="NoPermission"))
    assert not sampler.available and "NoPermission" in (sampler.error or "")
    ctx = ScanContext()
    assert nvml_gpus(ctx, make_fake_nvml(two_gpus(), init_error="NoPermission")) == []
    assert [e.collector for e in ctx.errors] == ["gpu"]
    assert "NVML" in ctx.errors[0].message.en


def test_driver_without_gpus_is_not_available_and_released() -> None:
    fake = make_fake_nvml([])
    sampler = GpuSampler(fake)
    assert not sampler.available and sampler.error is None and sampler.sample() == []
    assert fake.state["inits"] == fake.state["shutdowns"] == 1


def test_one_gpu_lost_while_sampling_keeps_the_other() -> None:
    fake = make_fake_nvml(two_gpus())
    sampler = GpuSampler(fake)
    fake.gpus[1].lost = True
    rows = sampler.sample()
    assert [r.index for r in rows] == [0]
    assert 4242 in sampler.process_usage()
    assert [r.index for r in sampler.sample()] == [0]


def test_gpu_lost_at_start_is_an_inventory_error_but_others_listed() -> None:
    gpus = two_gpus()
    gpus[0].lost_at_handle = True
    ctx = ScanContext()
    found = nvml_gpus(ctx, make_fake_nvml(gpus))
    assert [g.name for g in found] == ["NVIDIA GeForce RTX 3090"]
    assert len(ctx.errors) == 1 and "1 NVIDIA GPU" in ctx.errors[0].message.en


def test_inventory_gpu_facts() -> None:
    fake = make_fake_nvml(two_gpus(), bytes_strings=True)
    ctx = ScanContext()
    g = nvml_gpus(ctx, fake)[1]
    assert (g.vendor, g.source, g.discrete) == ("nvidia", "nvml", True)
    assert g.pci_bus_id == "0000:02:00.0" and g.pci_id == "10de:2204"
    assert g.memory_total_mb == 24576.0 and g.power_limit_w == 350.0
    assert g.driver_version == "550.54.14" and g.cuda_version == "12.4"
    assert g.temperature_c == 61.0 and g.power_w == 349.0
    assert fake.state["inits"] == fake.state["shutdowns"] == 1  # session closed again


def test_not_supported_readings_are_none() -> None:
    gpu = FakeGpu(
        not_supported={
            "nvmlDeviceGetPowerUsage",
            "nvmlDeviceGetTemperature",
            "nvmlDeviceGetEnforcedPowerLimit",
        }
    )
    ctx = ScanContext()
    (g,) = nvml_gpus(ctx, make_fake_nvml([gpu]))
    assert g.power_w is None and g.temperature_c is None
    assert g.power_limit_w == 170.0  # falls back to nvmlDeviceGetPowerManagementLimit
    assert ctx.errors == []


def test_real_pynvml_on_this_machine_without_error() -> None:
    """This machine has no NVIDIA driver: the real module must answer 'no GPU' quietly."""
    import pynvml

    session = NvmlSession()
    assert session.nvml is pynvml
    opened = session.open()
    if opened and session.handles:  # pragma: no cover - only on a machine with a GPU
        pytest.skip("this machine has an NVIDIA GPU")
    session.close()
    sampler = GpuSampler()
    assert not sampler.available and sampler.error is None
    assert sampler.sample() == [] and sampler.process_usage() == {}
    ctx = ScanContext()
    assert nvml_gpus(ctx) == [] and ctx.errors == []


def test_merge_does_not_list_an_nvidia_card_twice() -> None:
    nv = GPUInfo(
        vendor="nvidia",
        name="NVIDIA GeForce RTX 3060",
        source="nvml",
        pci_bus_id="0000:01:00.0",
        pci_id="10de:2503",
    )
    sysfs_same = GPUInfo(
        vendor="nvidia",
        name="NVIDIA GeForce RTX 3060",
        source="sysfs",
        pci_bus_id="0000:01:00.0",
        pci_id="10de:2503",
    )
    wmi_same = GPUInfo(
        vendor="nvidia", name="NVIDIA GeForce RTX 3060", source="wmi", pci_id="10de:2503"
    )
    intel = GPUInfo(vendor="intel", name="Intel UHD Graphics 770", source="wmi", pci_id="8086:4680")
    assert [g.source for g in merge([nv], [sysfs_same, intel])] == ["nvml", "wmi"]
    assert [g.source for g in merge([nv], [wmi_same, intel])] == ["nvml", "wmi"]
    # without NVML (no driver) the OS-listed NVIDIA card stays
    assert [g.source for g in merge([], [wmi_same])] == ["wmi"]


def test_text_helpers() -> None:
    assert cuda_version_text(12040) == "12.4" and cuda_version_text(11080) == "11.8"
    assert cuda_version_text(0) is None
    assert bus_id_text(b"00000000:0A:00.0") == "0000:0a:00.0"
    assert bus_id_text("0000:01:00.0") == "0000:01:00.0"
