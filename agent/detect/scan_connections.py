"""Connections to pool addresses and mining ports; pool names in the hosts file/DNS cache."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import psutil

import agent.platform as plat
from agent.detect.findings import make_finding
from agent.detect.procs import ProcInfo
from agent.detect.scan_processes import subject_of
from agent.i18n import N_
from agent.wire.report import Finding, Strength, Subject

if TYPE_CHECKING:
    from agent.bundle.entries import Entry
    from agent.bundle.loader import LoadedBundle

Resolver = Callable[[Iterable[str], float], dict[str, list[str]]]
_LIVE = {psutil.CONN_ESTABLISHED, psutil.CONN_SYN_SENT}
_BLOCKING_IPS = {"0.0.0.0", "127.0.0.1", "::1", "::", "255.255.255.255"}


def _ip_entry(bundle: LoadedBundle, ip: str) -> Entry | None:
    try:
        return bundle.pool_ips.match(ip)
    except Exception:  # noqa: BLE001 - a bad list entry must not abort the scan
        return None


def connection_findings(
    bundle: LoadedBundle,
    procs: dict[int, ProcInfo],
    own_pids: set[int],
    resolved: dict[str, str] | None = None,
    conns: list | None = None,
) -> list[Finding]:
    """Findings for live TCP connections (``resolved``: ip -> pool domain it came from)."""
    resolved = resolved or {}
    ports = bundle.mining_ports
    if conns is None:
        conns = psutil.net_connections(kind="tcp")
    out: list[Finding] = []
    for c in conns:
        if not c.raddr or c.status not in _LIVE or c.pid in own_pids:
            continue
        ip, port = c.raddr.ip, c.raddr.port
        p = procs.get(c.pid) if c.pid else None
        subj = subject_of(p) if p else Subject(pid=c.pid)
        subj = subj.model_copy(update={"remote": f"{ip}:{port}"})
        params = {"remote": f"{ip}:{port}", "name": p.name if p else "?", "pid": c.pid or "?"}
        entry = _ip_entry(bundle, ip)
        domain = resolved.get(ip)
        if entry is not None or domain:
            src = domain or getattr(entry, "value", ip)
            out.append(
                make_finding(
                    "pool_connection",
                    Strength.strong,
                    N_("Process {name} (PID {pid}) is connected to mining pool {remote}"),
                    N_(
                        "This connection goes to a known mining pool. End process {name}, delete "
                        "its program and block the address; if nobody here started it, look for "
                        "what starts it again."
                    ),
                    detail=N_("Listed pool: {pool}"),
                    params={**params, "pool": src},
                    subject=subj.model_copy(update={"domain": domain}),
                    rule=f"pool_ip:{src}",
                    evidence=[f"{ip}:{port}"],
                    bundle=bundle,
                )
            )
        elif port in ports:
            out.append(
                make_finding(
                    "mining_port_connection",
                    Strength.weak,
                    N_(
                        "Process {name} (PID {pid}) is connected to {remote}, a port mining pools "
                        "typically use"
                    ),
                    N_(
                        "Check what {name} is and what runs at {remote}; the port alone does not "
                        "prove mining."
                    ),
                    params=params,
                    subject=subj,
                    rule=f"mining_port:{port}",
                    evidence=[f"{ip}:{port}"],
                    bundle=bundle,
                )
            )
    return out


def hosts_findings(bundle: LoadedBundle, hosts_path: str) -> list[Finding]:
    """hosts-file lines that point a pool domain at a real address (not blocking entries)."""
    try:
        with open(hosts_path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return []
    matcher = bundle.pool_domains
    out: list[Finding] = []
    for n, line in enumerate(lines, 1):
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2 or fields[0] in _BLOCKING_IPS:
            continue
        for name in fields[1:]:
            entry = matcher.match(name.lower())
            if entry is not None:
                out.append(
                    make_finding(
                        "hosts_pool_entry",
                        Strength.weak,
                        N_("The hosts file points mining pool {domain} at {ip}"),
                        N_(
                            "Mining malware edits the hosts file to reach its pool. Ask whoever "
                            "looks after this PC whether line {line} of {file} was put there on "
                            "purpose; keep this report."
                        ),
                        params={"domain": name, "ip": fields[0], "line": n, "file": hosts_path},
                        subject=Subject(file=hosts_path, domain=name),
                        rule="hosts_pool_entry",
                        evidence=[line.strip()],
                        passive_hint=True,
                        bundle=bundle,
                    )
                )
    return out


# English and Simplified Chinese labels of `ipconfig /displaydns`
def dns_cache_findings(
    bundle: LoadedBundle, cache: dict[str, list[str]]
) -> tuple[list[Finding], dict[str, str]]:
    """Pool names in the DNS cache, and ip -> domain for the connection check."""
    matcher = bundle.pool_domains
    out: list[Finding] = []
    ips: dict[str, str] = {}
    for name, addrs in cache.items():
        if matcher.match(name) is None:
            continue
        for a in addrs:
            ips[a] = name
        out.append(
            make_finding(
                "dns_cache_pool",
                Strength.weak,
                N_("This PC recently looked up mining pool {domain}"),
                N_(
                    "A program on this PC asked for the address of a mining pool. Look for a "
                    "process connected to {addresses}."
                ),
                params={"domain": name, "addresses": ", ".join(addrs) or "?"},
                subject=Subject(domain=name),
                rule=f"pool_domain:{name}",
                evidence=[f"{name} -> {', '.join(addrs)}"],
                bundle=bundle,
            )
        )
    return out, ips


def read_dns_cache() -> dict[str, list[str]]:
    """The OS DNS client cache (Windows `ipconfig /displaydns`; empty elsewhere)."""
    return plat.dns_cache()


_RESOLVED: dict[str, tuple[float, list[str]]] = {}
RESOLVE_TTL_S = 3600.0


def resolve_all(domains: Iterable[str], budget_s: float) -> dict[str, list[str]]:
    """Resolve names in parallel within ``budget_s`` seconds (names left over are skipped);
    answers, failures included, are cached for an hour."""
    import socket
    import time
    from concurrent.futures import ThreadPoolExecutor, wait

    now = time.monotonic()
    result: dict[str, list[str]] = {}
    todo = []
    for name in dict.fromkeys(domains):
        hit = _RESOLVED.get(name)
        if hit and now - hit[0] < RESOLVE_TTL_S:
            if hit[1]:
                result[name] = hit[1]
        else:
            todo.append(name)

    def one(name: str) -> None:
        try:
            infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
        except OSError:
            _RESOLVED[name] = (time.monotonic(), [])
            return
        addrs = sorted({i[4][0] for i in infos})
        _RESOLVED[name] = (time.monotonic(), addrs)
        result[name] = addrs

    if todo:
        pool = ThreadPoolExecutor(max_workers=16)
        futures = [pool.submit(one, n) for n in todo]
        wait(futures, timeout=budget_s)
        pool.shutdown(wait=False, cancel_futures=True)
    return dict(result)


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
