"""The real GpuSampler (over a fake pynvml) inside the real UtilizationSampler."""

from __future__ import annotations

import os

from agent.platform.nvml import GpuSampler
from agent.sampling.sampler import UtilizationSampler
from tests.fixtures.nvml_fake import FakeGpu, make_fake_nvml


def test_nvml_rows_and_per_process_gpu_use_reach_the_utilization() -> None:
    me = os.getpid()
    fake = make_fake_nvml(
        [
            FakeGpu(
                utilization=97,
                compute=[(me, 3 * 2**30)],
                samples=[(me, ts, 96) for ts in range(1, 200)],
            )
        ]
    )
    gpu = GpuSampler(fake)
    try:
        util = UtilizationSampler(
            interval=0.2, process_interval=0.2, gpu=gpu, top_n=1000
        ).sample_for(0.8)
    finally:
        gpu.close()
    (row,) = util.gpus
    assert row.name == "NVIDIA GeForce RTX 3060" and row.uuid.startswith("GPU-")
    assert row.utilization.avg == 97.0 and row.power_w.max == 87.5
    proc = next(p for p in util.top_processes if p.pid == me)
    assert proc.gpu_memory_mb == 3072.0 and proc.gpu_utilization_percent == 96.0
    assert fake.state["shutdowns"] == fake.state["inits"] == 1


def test_no_driver_sampler_gives_no_gpu_rows() -> None:
    gpu = GpuSampler(make_fake_nvml(init_error="DriverNotLoaded"))
    util = UtilizationSampler(interval=0.2, gpu=gpu).sample_for(0.4)
    assert util.gpus == []
