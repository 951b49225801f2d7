"""Synthetic miner samples for the YARA rule tests (and for other tests that need a blob or
a memory image a rule must name): the strings each family's rules look for, laid out as a
compiled program holds them (C strings ending in NUL, between pseudo-random bytes).

These are built at run time from pieces, so this source file itself holds no sample in the
form the rules match (no NUL-terminated strings, no executable header).
"""

from __future__ import annotations

import random

NUL = b"\x00"

# family -> the strings of its program image (as the family's file and memory rules need).
FAMILY_STRINGS: dict[str, list[str]] = {
    "xmrig": [
        "XMRig",
        "cpu-max-threads-hint",
        "randomx-1gb-pages",
        "randomx-wrmsr",
        "cpu-memory-pool",
        "donate-level",
        "donate-over-proxy",
        "%s/%s (Linux ",
        "x86_64) libuv/%s",
        "donate.v2.xmrig.com",
        "keepalived",
        "seed_hash",
        "RandomX\x03",
        "xmrig.com/docs/algorithms",
    ],
    "cpuminer": [
        "cpuminer-opt",
        "no-stratum",
        "no-getwork",
        "no-longpoll",
        "coinbase-addr",
        "coinbase-sig",
        '{"id": %d, "method": "mining.authorize", "params": ["%s", "%s"]}',
        '{"method": "mining.submit", "params": ["%s", "%s", "%s", "%s", "%s"], "id":4}',
        '{"id": 1, "method": "mining.subscribe", "params": []}',
        "mining.set_difficulty",
        "mining.notify",
    ],
    "cgminer": [
        "cgminer",
        "--failover-only",
        "--load-balance",
        "--round-robin",
        "--api-listen",
        "--api-allow",
        "mining.subscribe",
        "mining.authorize",
        "mining.notify",
        "mining.set_difficulty",
        "stratum+tcp://",
        '{"id": %d, "method": "mining.authorize", "params": ["%s", "%s"]}',
    ],
    "xmr-stak": [
        "xmr-stak",
        "pool_address",
        "wallet_address",
        "use_nicehash",
        "pool_weight",
        "pool_password",
        "pool_list",
        "--noUAC",
        "keepalived",
        "job_id",
        '{"method":"login","params":{"login":"%s","pass":"%s","rigid":"%s","agent":"%s"}}',
    ],
    "t-rex": [
        "T-Rex",
        "api-bind-http",
        "lhr-tune",
        "watchdog-exit-mode",
        "eth_submitLogin",
        "eth_getWork",
        "mining.subscribe",
        "stratum+tcp",
        "kawpow",
        "ethash",
    ],
    "lolminer": [
        "lolMiner",
        "dualmode",
        "dualpool",
        "lhrtune",
        "ethstratum",
        "mining.subscribe",
        "mining.authorize",
        "mining.notify",
        "stratum+tcp",
        "autolykos2",
        "ethash",
    ],
    "phoenixminer": [
        "PhoenixMiner",
        "-epool",
        "-ewal",
        "-epsw",
        "-eworker",
        "eth_submitLogin",
        "eth_getWork",
        "eth_submitWork",
        "stratum+tcp",
        "ethash",
        "etchash",
    ],
    "nicehash": [
        "excavator",
        "NiceHash",
        "algorithm.add",
        "worker.add",
        "state.set",
        "miner.alive",
        "mining.subscribe",
        "mining.authorize",
        "mining.notify",
        "stratum+tcp",
        "daggerhashimoto",
        "kawpow",
        "octopus",
    ],
}

ELF_HEADER = b"\x7fELF\x02\x01\x01" + bytes(9) + b"\x02\x00\x3e\x00"
MZ_HEADER = b"MZ\x90\x00\x03" + bytes(55) + b"\x80\x00\x00\x00"


def _noise(rng: random.Random, size: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(size))


def program_strings(family: str) -> bytes:
    """The family's strings as a program's read-only data holds them: C strings, NUL-ended."""
    return NUL + NUL.join(s.encode("latin-1") for s in FAMILY_STRINGS[family]) + NUL


def executable(family: str, kind: str = "elf", seed: int = 1) -> bytes:
    """A synthetic executable (ELF or MZ header) carrying the family's strings."""
    rng = random.Random(seed)
    header = ELF_HEADER if kind == "elf" else MZ_HEADER
    return header + _noise(rng, 4096) + program_strings(family) + _noise(rng, 4096)


def memory_image(family: str, seed: int = 2) -> bytes:
    """A synthetic process memory dump: no header, strings at arbitrary offsets in noise."""
    rng = random.Random(seed)
    return _noise(rng, 3001) + program_strings(family) + _noise(rng, 5003)


def live_login_session() -> bytes:
    """What a running CryptoNote miner holds after login: its request and the pool's job."""
    wallet = "4" + "A1b2C3d4E5" * 9 + "xyzw"
    login = (
        '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"'
        + wallet
        + '","pass":"x","agent":"'
        + "XMRig/6.21.0 (Linux x86_64) libuv/1.44.2 gcc/12.2.0"
        + '","algo":["rx/0"]}}'
    )
    job = (
        '{"jsonrpc":"2.0","method":"job","params":{"blob":"0707","job_id":"'
        + "12ab" * 4
        + '","target":"b88d0600","seed_hash":"'
        + "ab" * 32
        + '"}}'
    )
    return b"\x01" * 100 + login.encode() + b"\x00" * 50 + job.encode() + b"\x02" * 100


def test_every_sample_family_has_strings() -> None:
    for family in FAMILY_STRINGS:
        blob = executable(family)
        assert blob.startswith(b"\x7fELF")
        assert program_strings(family) in blob
        assert program_strings(family) in memory_image(family)
