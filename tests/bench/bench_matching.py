"""Pool domain and IP matching with 1k / 10k / 100k list entries: look-ups per second stay
the same whatever the list size (dict probe per label; bisect over sorted ranges)."""

from __future__ import annotations

import ipaddress
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from agent.bundle import DomainMatcher, Entry, IPMatcher
from tests.bench._common import markdown_table, write_section

SIZES = (1_000, 10_000, 100_000)
LOOKUPS = 200_000
ROUNDS = 3
TLDS = ("com", "net", "org", "io", "cn", "xyz", "pro", "stream")
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"


def _label(rng: random.Random) -> str:
    return "".join(rng.choice(ALNUM) for _ in range(rng.randint(4, 12)))


def _domains(rng: random.Random, n: int) -> list[str]:
    return [
        f"{_label(rng)}.{_label(rng)}.{rng.choice(TLDS)}"
        if i % 3 == 0
        else f"{_label(rng)}.{rng.choice(TLDS)}"
        for i in range(n)
    ]


def _measured(build):
    tracemalloc.start()
    matcher = build()
    matcher.match("192.0.2.1")  # build any lazy index once
    mem = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    return matcher, mem


def domain_cases(rng: random.Random) -> list[tuple]:
    cases = []
    for size in SIZES:
        listed = _domains(rng, size)
        matcher, mem = _measured(lambda ls=listed: DomainMatcher(Entry(d, "b", "b") for d in ls))
        # A third exact hits, a third sub-domains of listed names, a third misses.
        queries = []
        for i in range(LOOKUPS):
            d = listed[rng.randrange(size)]
            if i % 3 == 0:
                queries.append(d)
            elif i % 3 == 1:
                queries.append(f"eu.{_label(rng)}.{d}")
            else:
                queries.append(f"www.{_label(rng)}.{_label(rng)}.com")
        cases.append((size, matcher, queries, mem))
    return cases


def ip_cases(rng: random.Random) -> list[tuple]:
    cases = []
    for size in SIZES:
        entries = []
        for i in range(size):
            if i % 4 == 0:
                net = ipaddress.ip_network((rng.getrandbits(32), rng.randint(16, 29)), strict=False)
                entries.append(str(net))
            elif i % 4 == 1:
                entries.append(str(ipaddress.IPv6Network((rng.getrandbits(128), 48), strict=False)))
            else:
                entries.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        matcher, mem = _measured(lambda es=entries: IPMatcher(Entry(e, "b", "b") for e in es))
        singles = [e for e in entries if "/" not in e]
        queries = []
        for i in range(LOOKUPS):
            if i % 4 == 0:
                queries.append(rng.choice(singles))
            elif i % 4 == 1:
                queries.append(str(ipaddress.IPv6Address(rng.getrandbits(128))))
            else:
                queries.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        cases.append((size, matcher, queries, mem))
    return cases


def _best(matcher, queries: list, best: float) -> float:
    match = matcher.match
    start = time.process_time()
    for q in queries:
        match(q)
    return min(best, time.process_time() - start)


def timed_rows(cases: list[tuple]) -> list[list[object]]:
    """Time every size in turn, rounds interleaved (fair under a noisy shared CPU), CPU time
    of this process. Two query sets: all distinct (cache-cold: every look-up touches a new part
    of a large table) and 500 distinct hosts repeated (what an agent checks in one scan)."""
    cold = {size: float("inf") for size, *_ in cases}
    warm = dict(cold)
    for _round in range(ROUNDS):
        for size, matcher, queries, _mem in cases:
            cold[size] = _best(matcher, queries, cold[size])
            warm[size] = _best(matcher, queries[:500] * (len(queries) // 500), warm[size])
    rows = []
    for size, matcher, queries, mem in cases:
        hits = sum(matcher.match(q) is not None for q in queries)
        rows.append(
            [
                f"{size:,}",
                f"{len(queries) / cold[size]:,.0f}",
                f"{1e9 * cold[size] / len(queries):,.0f}",
                f"{1e9 * warm[size] / len(queries):,.0f}",
                f"{hits / len(queries):.0%}",
                f"{mem:.1f}",
            ]
        )
    return rows


def naive_domain_rate(rng: random.Random, size: int, lookups: int = 300) -> float:
    """A linear scan with endswith, as a naive matcher would do (for contrast)."""
    listed = _domains(rng, size)
    queries = [f"eu.{_label(rng)}.{listed[rng.randrange(size)]}" for _ in range(lookups)]
    start = time.perf_counter()
    for q in queries:
        any(q == d or q.endswith("." + d) for d in listed)
    return lookups / (time.perf_counter() - start)


def main() -> None:
    rng = random.Random(20261123)
    headers = [
        "list entries",
        "look-ups/s (all distinct)",
        "ns per look-up (all distinct)",
        "ns per look-up (500 hosts repeated)",
        "hit rate",
        "matcher MiB",
    ]
    domain_rows = timed_rows(domain_cases(rng))
    naive = {size: naive_domain_rate(rng, size) for size in SIZES}
    for row, size in zip(domain_rows, SIZES, strict=True):
        row.append(f"{naive[size]:,.0f}")
    ip_rows = timed_rows(ip_cases(rng))
    intro = " ".join(
        [
            f"{LOOKUPS:,} look-ups per size, one thread, CPU time of the process,",
            f"best of {ROUNDS} rounds with the sizes interleaved.",
            "Domains: label-boundary suffix match, one dict probe per label of the host name;",
            "queries are a third exact hits, a third sub-domains of listed names,",
            "a third misses. IPs: a quarter IPv4 networks (/16-/29), a quarter IPv6 /48s,",
            "half single IPv4 addresses; queries are listed IPs, random IPv4 and random IPv6",
            "(singles in a dict, ranges sorted and found with bisect).",
            "The algorithm does the same work whatever the list size (one dict probe per label;",
            "one bisect over the ranges). With all-distinct queries the time still grows",
            "somewhat with the table size, because each look-up touches memory outside the CPU",
            "caches (20-33 MB tables at 100k entries); with the few hundred hosts an agent",
            "checks per scan it stays flat. The naive column is a linear endswith scan, for",
            "contrast. This machine has 2 cores shared with other helpers' work, so absolute",
            "figures are noisy.",
        ]
    )
    body = "\n\n".join(
        [
            intro,
            "### Pool domains",
            markdown_table([*headers, "naive linear scan look-ups/s"], domain_rows),
            "### Pool IPs and ranges",
            markdown_table(headers, ip_rows),
        ]
    )
    write_section("matching", "Pool domain and IP matching (100k entries)", body)


if __name__ == "__main__":
    main()
