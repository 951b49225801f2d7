"""Command-line signals: stratum URLs, miner flags, wallets in context, base64-encoded forms.

Pure functions over text, shared by the process, config and persistence scanners.
"""

from __future__ import annotations

import base64
import binascii
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.wire.report import Strength

if TYPE_CHECKING:
    from agent.bundle.entries import Entry
    from agent.bundle.loader import LoadedBundle

DEFAULT_SCHEMES = (
    "stratum+tcp",
    "stratum+ssl",
    "stratum+tls",
    "stratum1+tcp",
    "stratum1+ssl",
    "stratum2+tcp",
    "stratum2+ssl",
    "stratum",
    "ethproxy+tcp",
    "ethproxy+ssl",
    "ethstratum+tcp",
    "ethstratum+ssl",
    "nicehash+tcp",
    "nicehash+ssl",
    "daemon+http",
    "daemon+https",
)

# Flags only miners have (xmrig and forks, Claymore/Phoenix, SRBMiner, lolMiner, T-Rex ...).
MINER_ONLY_FLAGS = frozenset(
    {
        "--donate-level",
        "--cpu-max-threads-hint",
        "--randomx-1gb-pages",
        "--randomx-mode",
        "--randomx-no-numa",
        "--max-cpu-usage",
        "--nicehash",
        "-epool",
        "-ewal",
        "-epsw",
        "-wal",
        "--donate-over-proxy",
        "--rig-id",
        "--coin",
        "--cuda-loader",
        "-mport",
        "-dcri",
        "--wallet",
    }
)
POOL_FLAGS = frozenset({"-o", "--url", "-pool", "-epool", "--pool"})
USER_FLAGS = frozenset({"-u", "--user", "-wal", "-ewal", "--wallet", "-O", "--userpass"})
ALGO_FLAGS = frozenset({"-a", "--algo", "--algorithm", "-algo"})
MINING_ALGOS = frozenset(
    {
        "rx/0",
        "rx/wow",
        "rx/arq",
        "rx/graft",
        "rx/sfx",
        "rx/keva",
        "randomx",
        "cn/r",
        "cn/0",
        "cn/1",
        "cn/2",
        "cn/half",
        "cn/fast",
        "cn-lite/1",
        "cn-heavy/0",
        "cn-pico",
        "cn/gpu",
        "cryptonight",
        "cryptonight-lite",
        "argon2/chukwa",
        "argon2/wrkz",
        "astrobwt",
        "kawpow",
        "ethash",
        "etchash",
        "autolykos2",
        "octopus",
        "equihash",
        "beamhash",
        "cuckatoo32",
        "cuckaroo29",
        "kheavyhash",
        "blake3",
        "sha256d",
        "scrypt",
        "x11",
        "x16r",
        "lyra2z",
        "ghostrider",
        "firopow",
        "progpow",
        "verushash",
        "yescrypt",
        "yespower",
        "dynex",
    }
)

_B58 = "1-9A-HJ-NP-Za-km-z"
WALLET_PATTERNS = (
    ("monero", re.compile(rf"^[48][{_B58}]{{94}}(?:[{_B58}]{{11}})?$")),
    ("bitcoin_bech32", re.compile(r"^bc1[ac-hj-np-z02-9]{11,71}$")),
    ("bitcoin", re.compile(rf"^[13][{_B58}]{{25,34}}$")),
    ("ethereum", re.compile(r"^0x[0-9a-fA-F]{40}$")),
)
_HOSTPORT = re.compile(r"^\[?([A-Za-z0-9][A-Za-z0-9.\-:]*?)\]?:(\d{2,5})$")
_URL = re.compile(r"(?i)\b([a-z][a-z0-9]*(?:\+[a-z0-9]+)*)://([^\s\"'<>;|&]+)")
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/]{24,}={0,2}")
_ENC_FLAGS = ("-enc", "-e", "-ec", "-en", "-encodedcommand", "-encoded")


@dataclass(frozen=True)
class Signal:
    """One piece of evidence found in a text."""

    kind: str  # stratum_url, miner_flags, wallet, pool_domain, algo
    strength: Strength
    rule: str
    evidence: str
    host: str | None = None
    decoded: bool = False


def split_command(text: str) -> list[str]:
    """Split a command line into tokens (POSIX rules, falling back to whitespace)."""
    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return text.split()


def wallet_kind(value: str) -> str | None:
    """The currency a wallet-looking value belongs to (worker/difficulty suffix stripped)."""
    base = re.split(r"[.+/@:]", value.strip(), maxsplit=1)[0]
    for name, pattern in WALLET_PATTERNS:
        if pattern.match(base):
            return name
    return None


def host_of(value: str) -> tuple[str, int | None] | None:
    """(host, port) from a URL or a bare host:port / IP:port value, else None."""
    m = _URL.match(value)
    if m:
        rest = m.group(2)
        rest = rest.split("/", 1)[0]
        rest = rest.rsplit("@", 1)[-1]
        hm = _HOSTPORT.match(rest)
        if hm:
            return hm.group(1).lower(), int(hm.group(2))
        return (rest.lower(), None) if rest else None
    hm = _HOSTPORT.match(value.strip())
    if hm and ("." in hm.group(1) or ":" in hm.group(1) or hm.group(1) == "localhost"):
        return hm.group(1).lower(), int(hm.group(2))
    return None


def _schemes(bundle: LoadedBundle) -> tuple[str, ...]:
    schemes = tuple(bundle.stratum_schemes)
    return tuple(s.lower().rstrip(":/") for s in schemes) or DEFAULT_SCHEMES


def _pool_domain(bundle: LoadedBundle, host: str) -> Entry | None:
    if not host:
        return None
    try:
        return bundle.pool_domains.match(host)
    except Exception:  # noqa: BLE001 - a bad matcher must not abort the scan
        return None


def analyze_text(text: str, bundle: LoadedBundle, *, depth: int = 0) -> list[Signal]:
    """All signals in one command line (or one line of a script)."""
    if not text:
        return []
    signals: list[Signal] = []
    schemes = _schemes(bundle)
    for m in _URL.finditer(text):
        scheme = m.group(1).lower()
        if scheme in schemes:
            url = m.group(0)
            hp = host_of(url)
            signals.append(
                Signal(
                    "stratum_url",
                    Strength.strong,
                    f"stratum_scheme:{scheme}",
                    url,
                    host=hp[0] if hp else None,
                )
            )
            user = m.group(2).split("@", 1)[0] if "@" in m.group(2).split("/", 1)[0] else ""
            for part in re.split(r"[:]", user):
                kind = wallet_kind(part) if part else None
                if kind:
                    signals.append(Signal("wallet", Strength.strong, f"wallet:{kind}", part))
    tokens = split_command(text)
    signals += _analyze_tokens(tokens, bundle)
    for tok in tokens:
        if " " in tok.strip():  # a quoted argument list ("-ArgumentList '-o ... -u ...'")
            signals += _analyze_tokens(split_command(tok), bundle)
    if depth < 2:
        for decoded in _decoded_forms(text, tokens):
            for s in analyze_text(decoded, bundle, depth=depth + 1):
                signals.append(Signal(s.kind, s.strength, s.rule, s.evidence, s.host, True))
    return _unique(signals)


def _flag_value(tokens: list[str], i: int) -> tuple[str, str | None]:
    tok = tokens[i]
    if tok.startswith("--") and "=" in tok:
        flag, value = tok.split("=", 1)
        return flag, value
    value = tokens[i + 1] if i + 1 < len(tokens) else None
    return tok, value


def _analyze_tokens(tokens: list[str], bundle: LoadedBundle) -> list[Signal]:
    signals: list[Signal] = []
    miner_flags: list[str] = []
    pool_hosts: list[str] = []
    users: list[str] = []
    algos: list[str] = []
    for i, tok in enumerate(tokens):
        if not tok.startswith("-"):
            continue
        flag, value = _flag_value(tokens, i)
        low = flag if flag == "-O" else flag.lower()
        if low in MINER_ONLY_FLAGS:
            miner_flags.append(
                flag if value is None or value.startswith("-") else f"{flag} {value}"
            )
        if low in POOL_FLAGS and value:
            hp = host_of(value)
            if hp and hp[1] is not None:
                pool_hosts.append(value)
                entry = _pool_domain(bundle, hp[0])
                if entry is not None:
                    signals.append(
                        Signal(
                            "pool_domain",
                            Strength.strong,
                            f"pool_domain:{getattr(entry, 'value', hp[0])}",
                            value,
                            host=hp[0],
                        )
                    )
        if low in USER_FLAGS and value:
            kind = wallet_kind(value)
            if kind:
                users.append(value)
                signals.append(
                    Signal("wallet", Strength.strong, f"wallet:{kind}", f"{flag} {value}")
                )
            elif not value.startswith("-"):
                users.append(value)
        if low in ALGO_FLAGS and value and value.lower() in MINING_ALGOS:
            algos.append(f"{flag} {value}")
    strong_flags = [f for f in miner_flags if not f.startswith(("--coin", "--wallet"))]
    if strong_flags and (
        pool_hosts
        or users
        or algos
        or len(strong_flags) >= 2
        or any(
            f.startswith(
                ("--donate-level", "--cpu-max-threads-hint", "--randomx", "-epool", "-ewal")
            )
            for f in strong_flags
        )
    ):
        signals.append(
            Signal(
                "miner_flags",
                Strength.strong,
                "miner_flags",
                " ".join(miner_flags + pool_hosts[:1] + algos[:1]),
            )
        )
    elif pool_hosts and (users or algos):
        signals.append(
            Signal(
                "miner_flags",
                Strength.strong,
                "pool_and_user_flags",
                " ".join(pool_hosts[:1] + users[:1] + algos[:1]),
            )
        )
    elif algos:
        signals.append(Signal("algo", Strength.weak, "mining_algorithm_flag", algos[0]))
    elif miner_flags:
        signals.append(Signal("miner_flags", Strength.weak, "miner_flag", miner_flags[0]))
    return signals


def _decoded_forms(text: str, tokens: list[str]) -> list[str]:
    """Texts hidden in base64: PowerShell -EncodedCommand (UTF-16LE) and `base64 -d` pipes."""
    out: list[str] = []
    for i, tok in enumerate(tokens[:-1]):
        if tok.lower() in _ENC_FLAGS:
            t = _b64(tokens[i + 1], utf16=True)
            if t:
                out.append(t)
    if "base64" in text or "FromBase64String" in text or "atob" in text:
        for m in _B64_TOKEN.finditer(text):
            t = _b64(m.group(0), utf16=False) or _b64(m.group(0), utf16=True)
            if t:
                out.append(t)
    return out


def _b64(value: str, *, utf16: bool) -> str | None:
    value = value.strip("'\"")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-16-le" if utf16 else "utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return text if text and printable / len(text) > 0.95 else None


def _unique(signals: list[Signal]) -> list[Signal]:
    seen: set[tuple[str, str]] = set()
    out = []
    for s in signals:
        key = (s.rule, s.evidence)
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def strongest(signals: list[Signal]) -> Strength | None:
    if any(s.strength == Strength.strong for s in signals):
        return Strength.strong
    if any(s.strength == Strength.weak for s in signals):
        return Strength.weak
    return None
