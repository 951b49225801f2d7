"""Network: live connections to pool addresses and mining ports, pool names in the OS DNS
cache (and, when turned on, resolved pool names), pool names in the hosts file."""

from __future__ import annotations

import psutil

import agent.platform as plat
from agent.detect import scan_connections
from agent.detect.scanners.base import Scanner, ScanRun
from agent.i18n import N_
from agent.wire.report import Finding


def run(run: ScanRun) -> list[Finding]:
    settings, bundle = run.settings, run.bundle
    out: list[Finding] = []
    resolved: dict[str, str] = {}
    cache = settings.dns_cache() if settings.dns_cache else {}
    dns_findings, ips = scan_connections.dns_cache_findings(bundle, cache)
    out += dns_findings
    resolved.update(ips)
    if settings.resolver is not None:
        names = [e.value for e in bundle.pool_domains]
        for name, addrs in settings.resolver(names, settings.resolve_budget_s).items():
            for a in addrs:
                resolved[a] = name
    conns = None
    if settings.pids is not None:
        conns = [c for c in psutil.net_connections(kind="tcp") if c.pid in settings.pids]
    out += scan_connections.connection_findings(bundle, run.by_pid, run.own_pids, resolved, conns)
    hosts = settings.hosts_file or plat.hosts_file(settings.root)
    out += scan_connections.hosts_findings(bundle, hosts)
    return out


SCANNER = Scanner(
    name="connections",
    run=run,
    needs=("pool_domains", "pool_ips", "mining_ports"),
    progress=N_("Checking network connections"),
    required=N_("the check of network connections"),
)
