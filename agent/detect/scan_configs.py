"""Miner configuration files next to a running program or in its working folder."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from agent.detect import scan_processes
from agent.detect.cmdline import analyze_text, host_of, wallet_kind
from agent.detect.findings import make_finding
from agent.detect.locations import dirname
from agent.detect.procs import ProcInfo
from agent.detect.scan_processes import script_path, subject_of
from agent.i18n import N_
from agent.wire.report import Finding, Strength

if TYPE_CHECKING:
    from agent.bundle.loader import LoadedBundle

CONFIG_SUFFIXES = (".json", "pools.txt", ".bat", ".cmd", ".ps1", ".sh", ".conf", ".cfg", ".ini")
MINER_KEYS = (
    "donate-level",
    "donate_level",
    "randomx",
    "cpu-max-threads-hint",
    "nicehash",
    "rig-id",
    "algo",
    "coin",
    "pools",
    "pool_list",
    "wallet",
)
_MAX_FILE = 512 * 1024
_MAX_FILES_PER_DIR = 40
_SKIP_DIRS = {
    "/",
    "/usr/bin",
    "/usr/sbin",
    "/bin",
    "/sbin",
    "/usr/lib",
    "/usr/libexec",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/lib",
    "/lib64",
    "/usr/lib64",
    "/etc",
    "c:\\windows",
    "c:\\windows\\system32",
    "c:\\windows\\syswow64",
    "/proc",
    "/sys",
    "/dev",
    "/run",
    "/var/lib",
    "/home",
}


def analyze_config_text(text: str, bundle: LoadedBundle) -> tuple[Strength | None, str, list[str]]:
    """(strength, rule, evidence) for one file's content; strength None when clean."""
    stripped = text.lstrip("\ufeff \r\n\t")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            data = None
        if isinstance(data, dict):
            result = _analyze_json(data, bundle)
            if result[0] is not None:
                return result
    evidence: list[str] = []
    strong = False
    for line in text.splitlines()[:2000]:
        signals = analyze_text(line.strip(), bundle)
        if signals:
            evidence.append(line.strip())
            strong = strong or any(s.strength == Strength.strong for s in signals)
    if evidence:
        return (Strength.strong if strong else Strength.weak), "miner_script", evidence[:5]
    return None, "", []


def _analyze_json(data: dict, bundle: LoadedBundle) -> tuple[Strength | None, str, list[str]]:
    pools = data.get("pools") or data.get("pool_list")
    evidence: list[str] = []
    if isinstance(pools, list):
        for entry in pools:
            if not isinstance(entry, dict):
                continue
            url = str(entry.get("url") or entry.get("pool_address") or entry.get("host") or "")
            user = str(
                entry.get("user") or entry.get("wallet_address") or entry.get("wallet") or ""
            )
            if url and user and (host_of(url) or "://" in url):
                evidence.append(f"url={url} user={user[:110]}")
        if evidence:
            return Strength.strong, "config_pools_url_user", evidence[:5]
    keys = [k for k in data if str(k).lower() in MINER_KEYS]
    texts = [str(v) for v in _walk(data)]
    wallets = [t for t in texts if wallet_kind(t)]
    for t in texts:
        if analyze_text(t, bundle):
            evidence.append(t)
    if evidence:
        return Strength.strong, "config_pool_url", evidence[:5]
    if len(keys) >= 2 and wallets:
        return Strength.strong, "config_miner_keys_wallet", keys + wallets[:1]
    if len(keys) >= 3:
        return Strength.weak, "config_miner_keys", keys
    return None, "", []


def _walk(value: Any, depth: int = 0):
    if depth > 6:
        return
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v, depth + 1)
    elif isinstance(value, list):
        for v in value[:200]:
            yield from _walk(v, depth + 1)
    elif isinstance(value, str):
        yield value


def candidate_dirs(p: ProcInfo) -> list[str]:
    dirs: list[str] = []
    for path in (p.exe if not p.exe_deleted else None, script_path(p)):
        if path:
            if not os.path.isabs(path) and p.cwd:
                path = os.path.join(p.cwd, path)
            dirs.append(dirname(path))
    if p.cwd:
        dirs.append(p.cwd)
    out = []
    for d in dirs:
        if d and d.lower().rstrip("\\/") not in _SKIP_DIRS and d not in out:
            out.append(d)
    return out


def config_files(directory: str) -> list[str]:
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return []
    out = []
    for e in entries:
        name = e.name.lower()
        if not name.endswith(CONFIG_SUFFIXES):
            continue
        try:
            if not e.is_file(follow_symlinks=False) or e.stat().st_size > _MAX_FILE:
                continue
        except OSError:
            continue
        out.append(e.path)
        if len(out) >= _MAX_FILES_PER_DIR:
            break
    return out


def scan_configs(
    procs: list[ProcInfo],
    bundle: LoadedBundle,
    own_paths: set[str],
    cache: dict[str, tuple] | None = None,
) -> list[Finding]:
    """Findings for miner configuration files beside running programs."""
    cache = {} if cache is None else cache
    findings: list[Finding] = []
    for p in procs:
        for d in candidate_dirs(p):
            for path in config_files(d):
                if path in own_paths or any(path.startswith(o + os.sep) for o in own_paths):
                    continue
                if path not in cache:
                    cache[path] = _read_and_analyze(path, bundle)
                strength, rule, evidence = cache[path]
                if strength is None:
                    continue
                findings.append(
                    make_finding(
                        "miner_config",
                        strength,
                        N_(
                            "Mining configuration {file} belongs to running process {name} "
                            "(PID {pid})"
                        ),
                        (
                            N_(
                                "This file tells a miner which pool and wallet to use. Unless "
                                "mining here is authorised, end process {name}, delete {file} "
                                "and the program beside it."
                            )
                            if scan_processes.miner_file(p)
                            else N_(
                                "This file tells a miner which pool and wallet to use. Unless "
                                "mining here is authorised, stop the process tree started by "
                                "{name} (PID {pid}) and delete {file}; {name} itself belongs "
                                "to the system, do not delete it."
                            )
                        ),
                        weak_action=N_(
                            "{file} has settings that look like a miner's. Check what it is and "
                            "which program {name} (PID {pid}) uses it; keep this report for "
                            "whoever looks after this PC."
                        ),
                        params={"file": path, "name": p.name, "pid": p.pid},
                        subject=subject_of(p).model_copy(update={"file": path}),
                        rule=rule,
                        evidence=evidence,
                        bundle=bundle,
                    )
                )
    return findings


def _read_and_analyze(path: str, bundle: LoadedBundle) -> tuple:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_FILE)
    except OSError:
        return None, "", []
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    else:
        text = raw.decode("utf-8", errors="replace")
    return analyze_config_text(text, bundle)
