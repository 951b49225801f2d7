"""Realistic report bodies built from the agent's own pydantic model (shared by collector tests
and the ingest benchmark)."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from agent.wire.report import (
    AgentInfo,
    CPUInfo,
    DeviceIdentity,
    DiskInfo,
    Finding,
    GPUInfo,
    GPUUtilization,
    Hardware,
    HighPerformance,
    IdentityParts,
    LocalizedText,
    MemoryInfo,
    MiningMode,
    NICInfo,
    OSInfo,
    ProcessUsage,
    Report,
    SignatureBundleInfo,
    Stat,
    Strength,
    Subject,
    Utilization,
    Verdict,
    VerdictStatus,
)


def make_identity(
    seed: int | str = 0,
    *,
    hostname: str | None = None,
    system_uuid: str | None = None,
    macs: list[str] | None = None,
) -> DeviceIdentity:
    """A device identity; the same seed gives the same fingerprint."""
    rnd = random.Random(f"identity-{seed}")
    system_uuid = system_uuid or str(uuid.UUID(int=rnd.getrandbits(128)))
    macs = (
        macs
        if macs is not None
        else sorted(":".join(f"{rnd.randrange(256):02x}" for _ in range(6)) for _ in range(2))
    )
    board = f"BSN{rnd.randrange(10**9):09d}"
    parts = IdentityParts(
        system_uuid=system_uuid,
        board_serial=board,
        system_serial=f"SSN{rnd.randrange(10**9):09d}",
        macs=macs,
    )
    fingerprint = hashlib.sha256(
        json.dumps(parts.model_dump(), sort_keys=True).encode()
    ).hexdigest()
    return DeviceIdentity(
        fingerprint=fingerprint,
        parts=parts,
        hostname=hostname or f"LAB-PC-{seed}",
        machine_id=f"{rnd.getrandbits(128):032x}",
        manufacturer="Lenovo",
        product="ThinkCentre M720",
    )


def make_hardware(
    identity: DeviceIdentity,
    *,
    gpu: str | None = "NVIDIA GeForce RTX 3060",
    memory_mb: float = 16384,
    ip: str = "10.12.3.45",
) -> Hardware:
    nics = [
        NICInfo(
            name=f"eth{i}",
            mac=mac,
            ipv4=[ip] if i == 0 else [],
            up=True,
            speed_mbps=1000,
            physical=True,
        )
        for i, mac in enumerate(identity.parts.macs)
    ]
    gpus = (
        [
            GPUInfo(
                vendor="nvidia",
                name=gpu,
                source="nvml",
                uuid=f"GPU-{identity.fingerprint[:8]}",
                memory_total_mb=12288,
                driver_version="535.104",
                discrete=True,
            )
        ]
        if gpu
        else []
    )
    hp = HighPerformance(
        is_high_performance=bool(gpu),
        reasons=[LocalizedText(zh=f"独立显卡 {gpu}", en=f"Discrete GPU {gpu}")] if gpu else [],
        category="gpu_workstation" if gpu else None,
    )
    return Hardware(
        os=OSInfo(
            name="Windows 10 Pro",
            version="22H2",
            build="19045",
            architecture="AMD64",
            hostname=identity.hostname,
            domain="WORKGROUP",
            users=["teacher"],
        ),
        cpu=CPUInfo(
            brand="Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz",
            vendor="GenuineIntel",
            architecture="x86_64",
            physical_cores=6,
            logical_cores=6,
            base_mhz=3000,
            max_mhz=4400,
            flags={"aes": True, "avx2": True, "avx512f": False},
        ),
        gpus=gpus,
        memory=MemoryInfo(total_mb=memory_mb, available_mb=memory_mb / 2, swap_total_mb=4096),
        disks=[
            DiskInfo(
                device="\\\\.\\PHYSICALDRIVE0",
                model="Samsung SSD 860 EVO 500GB",
                serial="S3Z9NB0K123456",
                size_gb=465.8,
                mountpoint="C:\\",
                fstype="NTFS",
                used_percent=41.5,
                rotational=False,
            )
        ],
        nics=nics,
        high_performance=hp,
    )


def make_finding(i: int = 0, strength: Strength = Strength.strong) -> Finding:
    return Finding(
        kind="pool_connection" if i % 2 == 0 else "miner_cmdline",
        strength=strength,
        weight=1.0,
        passive_hint=True,
        title=LocalizedText(
            zh=f"连接到已知矿池 #{i}", en=f"Connection to a known mining pool #{i}"
        ),
        detail=LocalizedText(
            zh="进程 svchost.exe 连接到 pool.example:3333",
            en="Process svchost.exe connects to pool.example:3333",
        ),
        action=LocalizedText(
            zh="断开网络，结束该进程，并用杀毒软件全盘查杀。",
            en="Disconnect the PC, end the process and run a full antivirus scan.",
        ),
        subject=Subject(
            pid=4000 + i,
            process_name="svchost.exe",
            exe="C:\\Users\\Public\\svchost.exe",
            sha256="ab" * 32,
            remote="198.51.100.7:3333",
            domain="pool.example",
        ),
        rule="pool-list:pool.example",
        signature_version="2026.11.01",
        evidence=["stratum+tcp://pool.example:3333", "--donate-level 1"],
    )


def make_report(
    identity: DeviceIdentity | None = None,
    *,
    seed: int | str = 0,
    findings: int = 0,
    verdict: str | None = None,
    processes: int = 40,
    started_at: datetime | None = None,
    report_id: uuid.UUID | None = None,
    gpu: str | None = "NVIDIA GeForce RTX 3060",
) -> Report:
    """A report like a real scan's: inventory, utilization with top processes, findings."""
    identity = identity or make_identity(seed)
    rnd = random.Random(f"report-{seed}")
    items = [make_finding(i) for i in range(findings)]
    status = (
        VerdictStatus(verdict)
        if verdict
        else (VerdictStatus.mining if findings else VerdictStatus.clean)
    )
    started = started_at or datetime.now(timezone.utc) - timedelta(minutes=2)
    procs = [
        ProcessUsage(
            pid=1000 + i,
            name=f"proc{i}.exe",
            exe=f"C:\\Program Files\\App{i}\\proc{i}.exe",
            user="teacher",
            cmdline=f'"C:\\Program Files\\App{i}\\proc{i}.exe" --flag {i}',
            cpu_seconds=rnd.uniform(0, 30),
            cpu_percent=rnd.uniform(0, 90),
        )
        for i in range(processes)
    ]
    return Report(
        report_id=report_id or uuid.uuid4(),
        started_at=started,
        finished_at=started + timedelta(seconds=65),
        agent=AgentInfo(version="0.1.0", platform="win32", frozen=True, privileged=True),
        signatures=SignatureBundleInfo(version="2026.11.01", source="builtin"),
        device=identity,
        hardware=make_hardware(identity, gpu=gpu),
        utilization=Utilization(
            window_seconds=60,
            samples=60,
            cpu=Stat(avg=35.2, p95=88.0, max=99.0),
            logical_cores=6,
            gpus=[GPUUtilization(index=0, name=gpu, utilization=Stat(avg=5, p95=20, max=40))]
            if gpu
            else [],
            top_processes=procs,
            user_idle_seconds=120.0,
            invisible_cpu_percent=0.5,
        ),
        findings=items,
        verdict=Verdict(
            status=status,
            mode=MiningMode.passive if status.value == "mining" else None,
            reasons=[f.title for f in items[:3]],
        ),
    )


def report_json(report: Report) -> bytes:
    return report.model_dump_json().encode("utf-8")


def report_gzip(report: Report) -> bytes:
    return gzip.compress(report_json(report))


def as_dict(report: Report) -> dict[str, Any]:
    return json.loads(report_json(report))
