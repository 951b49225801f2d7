"""DomainMatcher (label-boundary suffix match) and IPMatcher (IPs, CIDRs, ranges; v4/v6)."""

from __future__ import annotations

import ipaddress

import pytest

from agent.bundle import DomainMatcher, Entry, IPMatcher


@pytest.fixture
def domains() -> DomainMatcher:
    return DomainMatcher(
        [
            Entry("btc.com", "btc", "t"),
            Entry("pool.supportxmr.com", "xmr", "t"),
            Entry("*.nanopool.org", "multi", "t"),
            Entry("Moneroocean.Stream.", "xmr", "t"),
        ]
    )


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("btc.com", "btc.com"),
        ("eu.btc.com", "btc.com"),
        ("EU.SS.BTC.COM.", "btc.com"),
        ("viabtc.com", None),
        ("btc.com.evil.example", None),
        ("notbtc.com", None),
        ("com", None),
        ("pool.supportxmr.com", "pool.supportxmr.com"),
        ("supportxmr.com", None),
        ("xmr-eu1.nanopool.org", "nanopool.org"),
        ("nanopool.org", "nanopool.org"),
        ("gulf.moneroocean.stream", "moneroocean.stream"),
        ("", None),
    ],
)
def test_domain_label_boundaries(domains: DomainMatcher, host: str, expected: str | None) -> None:
    entry = domains.match(host)
    assert (entry.value if entry else None) == expected


def test_domain_most_specific_entry_wins() -> None:
    m = DomainMatcher([Entry("example.com", "site", "a"), Entry("pool.example.com", "xmr", "b")])
    assert m.match("eu.pool.example.com").source == "b"
    assert m.match("www.example.com").source == "a"
    assert not m.add(Entry("EXAMPLE.com", "dup", "c"))
    assert len(m) == 2 and "x.pool.example.com" in m


@pytest.fixture
def ips() -> IPMatcher:
    return IPMatcher(
        [
            Entry("192.0.2.7", "xmr", "single"),
            Entry("198.51.100.0/24", "xmr", "net24"),
            Entry("198.51.100.128/25", "xmr", "net25"),
            Entry("203.0.113.10-203.0.113.20", "btc", "range"),
            Entry("10.0.0.0/8", "x", "big"),
            Entry("10.1.2.0/24", "x", "inner"),
            Entry("2001:db8::1", "eth", "v6single"),
            Entry("2001:db8:1::/48", "eth", "v6net"),
        ]
    )


@pytest.mark.parametrize(
    ("ip", "source"),
    [
        ("192.0.2.7", "single"),
        ("192.0.2.8", None),
        ("198.51.100.1", "net24"),
        ("198.51.100.200", "net25"),
        ("198.51.101.0", None),
        ("203.0.113.10", "range"),
        ("203.0.113.20", "range"),
        ("203.0.113.21", None),
        ("203.0.113.9", None),
        ("10.200.0.1", "big"),
        ("10.1.2.3", "inner"),
        ("10.1.3.3", "big"),
        ("::ffff:192.0.2.7", "single"),
        ("2001:db8::1", "v6single"),
        ("[2001:db8::1]", "v6single"),
        ("2001:db8::2", None),
        ("2001:db8:1:ffff::5", "v6net"),
        ("2001:db8:2::5", None),
        ("fe80::1%eth0", None),
        ("not-an-ip", None),
        ("", None),
    ],
)
def test_ip_single_and_ranges(ips: IPMatcher, ip: str, source: str | None) -> None:
    entry = ips.match(ip)
    assert (entry.source if entry else None) == source


def test_ip_accepts_address_objects_and_rejects_bad_entries(ips: IPMatcher) -> None:
    assert ips.match(ipaddress.ip_address("198.51.100.9")).source == "net24"
    with pytest.raises(ValueError):
        ips.add(Entry("300.1.1.1", "x", "bad"))
    with pytest.raises(ValueError):
        ips.add(Entry("10.0.0.9-10.0.0.1", "x", "bad"))
    assert not ips.add(Entry("192.0.2.7", "dup", "dup"))
    assert ips.match("192.0.2.7").source == "single"


def test_ip_matcher_agrees_with_brute_force() -> None:
    import random

    rng = random.Random(7)
    nets = []
    m = IPMatcher()
    for i in range(300):
        prefix = rng.choice([8, 12, 16, 20, 24, 28, 32])
        net = ipaddress.ip_network((rng.getrandbits(32), prefix), strict=False)
        if m.add(Entry(str(net), "t", str(i))):
            nets.append(net)
    for _ in range(3000):
        addr = ipaddress.ip_address(rng.getrandbits(32))
        want = any(addr in n for n in nets)
        got = m.match(addr)
        assert (got is not None) == want
        if got is not None:
            assert addr in ipaddress.ip_network(got.value, strict=False)
