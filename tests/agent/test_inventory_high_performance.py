"""High-performance classification with configurable thresholds."""

from __future__ import annotations

from agent.collectors.high_performance import HighPerfThresholds, classify
from agent.wire.report import CPUInfo, GPUInfo, Hardware, MemoryInfo, OSInfo


def hw(vram=None, discrete=True, cores=8, mem_gb=16, server=False) -> Hardware:
    gpus = []
    if vram is not None:
        gpus = [
            GPUInfo(
                vendor="nvidia",
                name="NVIDIA GeForce RTX 3060",
                source="nvml",
                memory_total_mb=vram,
                discrete=discrete,
            )
        ]
    return Hardware(
        os=OSInfo(
            name="Windows Server 2019" if server else "Windows 11", hostname="h", is_server=server
        ),
        cpu=CPUInfo(logical_cores=cores),
        memory=MemoryInfo(total_mb=mem_gb * 1024),
        gpus=gpus,
    )


def test_ordinary_office_pc_is_not_high_performance() -> None:
    result = classify(hw(vram=1024, discrete=False))
    assert not result.is_high_performance and result.reasons == [] and result.category is None


def test_discrete_gpu_at_threshold_fires_with_reason_in_both_languages() -> None:
    result = classify(hw(vram=4096))
    assert result.is_high_performance and result.category == "gpu_workstation"
    (reason,) = result.reasons
    assert "4096 MB" in reason.en and "NVIDIA GeForce RTX 3060" in reason.en
    assert "独立显卡" in reason.zh
    assert not classify(hw(vram=4095)).is_high_performance


def test_integrated_gpu_with_large_shared_memory_does_not_fire() -> None:
    assert not classify(hw(vram=8192, discrete=False)).is_high_performance
    assert not classify(hw(vram=8192, discrete=None)).is_high_performance


def test_many_cores_server_and_memory_rules() -> None:
    assert classify(hw(cores=16)).category == "many_core"
    assert not classify(hw(cores=15)).is_high_performance
    assert classify(hw(server=True)).category == "server"
    assert classify(hw(mem_gb=64)).category == "server"
    both = classify(hw(vram=12288, cores=32, server=True))
    assert both.category == "gpu_workstation" and len(both.reasons) == 3


def test_thresholds_are_configurable() -> None:
    strict = HighPerfThresholds(
        discrete_gpu_vram_mb=8192, logical_cores=64, memory_total_mb=None, server_os=False
    )
    big = hw(vram=6144, cores=32, mem_gb=128, server=True)
    assert not classify(big, strict).is_high_performance
    assert classify(hw(vram=8192), strict).is_high_performance


def test_missing_facts_do_not_fire() -> None:
    assert not classify(Hardware()).is_high_performance
