"""File-scan throughput of the agent's file-scope YARA rules (yara-python, rules from the
bundle loader's compiled cache) against the `yara` command-line tool (Debian package `yara`)
on the same rules and the same ~200 MB corpus, in one run.

The CLI gets the same rules compiled by its own `yarac` (so neither side pays compilation in
the timed part) and scans the corpus folder with `-r`; minecheck scans the same files with
`rules.match(filepath)` from a thread pool (yara-python releases the GIL while scanning).
Compared at equal thread counts and with the CLI's default threads.
Set MINECHECK_BENCH_CORPUS_MB to change the corpus size.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yara  # noqa: E402

from agent.bundle import load_bundle  # noqa: E402
from tests.agent.test_rules_samples import FAMILY_STRINGS, executable  # noqa: E402
from tests.bench._common import markdown_table, write_section  # noqa: E402

MB = 1 << 20
WORDS = [
    "the",
    "pool",
    "of",
    "students",
    "report",
    "mining",
    "computer",
    "school",
    "network",
    "stratum",
    "donate",
    "level",
    "threads",
    "configuration",
    "挖矿",
    "检查",
    "网络",
    "教育局",
    "学校",
    "error",
    "warning",
    "info",
    "debug",
    "user",
    "agent",
    "login",
    "job",
    "submit",
    "keepalive",
    "hash",
    "rate",
    "cpu",
    "gpu",
    "memory",
    "process",
    "service",
    "task",
    "update",
]


def ensure_cli() -> tuple[str, str] | None:
    """Paths of `yara` and `yarac`, installing the Debian package when missing; None if not."""
    if not (shutil.which("yara") and shutil.which("yarac")) and shutil.which("apt-get"):
        print("installing the Debian package yara (apt-get install -y yara) ...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "yara"], capture_output=True, check=False)
    yara_cli, yarac = shutil.which("yara"), shutil.which("yarac")
    return (yara_cli, yarac) if yara_cli and yarac else None


def build_corpus(folder: Path, total_mb: int) -> list[Path]:
    """Random binaries (some with ELF/MZ headers), text logs, copies of ELF programs from
    /usr/bin, small files, and a few synthetic miners (so both sides have matches to agree on)."""
    rng = random.Random(42)
    files: list[Path] = []
    budget = total_mb * MB

    def add(name: str, data: bytes) -> None:
        nonlocal budget
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        files.append(path)
        budget -= len(data)

    for i, family in enumerate(sorted(FAMILY_STRINGS)):
        add(f"miners/{family}.bin", executable(family, "elf" if i % 2 else "mz", seed=i))
    elfs = sorted(
        (p for p in Path("/usr/bin").iterdir() if p.is_file() and not p.is_symlink()),
        key=lambda p: p.stat().st_size,
    )
    elf_budget = budget * 3 // 10
    for p in elfs:
        size = p.stat().st_size
        if 200_000 < size < 12 * MB and size <= elf_budget:
            head = p.read_bytes()
            if head[:4] == b"\x7fELF":
                add(f"bin/{p.name}", head)
                elf_budget -= size
    text_budget = budget * 3 // 10
    n = 0
    while text_budget > 0:
        size = rng.randint(64 * 1024, 2 * MB)
        lines = []
        length = 0
        while length < size:
            line = " ".join(rng.choice(WORDS) for _ in range(12))
            lines.append(line)
            length += len(line.encode()) + 1
        data = "\n".join(lines).encode()
        add(f"text/log{n}.txt", data)
        text_budget -= len(data)
        n += 1
    n = 0
    while budget > 0:
        size = rng.choice([4 * 1024, 64 * 1024, 512 * 1024, MB, 4 * MB])
        header = rng.choice([b"", b"\x7fELF\x02\x01\x01\x00", b"MZ\x90\x00"])
        add(f"data/blob{n}.bin", header + os.urandom(size))
        n += 1
    return files


def minecheck_scan(
    rules: yara.Rules, files: list[Path], threads: int, fast: bool, in_memory: bool = False
) -> set[tuple[str, str]]:
    def one(path: Path) -> list[tuple[str, str]]:
        if in_memory:
            matches = rules.match(data=path.read_bytes(), fast=fast, timeout=60)
        else:
            matches = rules.match(str(path), fast=fast, timeout=60)
        return [(m.rule, str(path)) for m in matches]

    found: set[tuple[str, str]] = set()
    if threads == 1:
        for path in files:
            found.update(one(path))
        return found
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for result in pool.map(one, files, chunksize=4):
            found.update(result)
    return found


def cli_scan(
    yara_cli: str, compiled: Path, folder: Path, threads: int | None, fast: bool
) -> set[tuple[str, str]]:
    cmd = [yara_cli, "-C", "-r", "-w"]
    if threads:
        cmd += ["-p", str(threads)]
    if fast:
        cmd.append("-f")
    proc = subprocess.run(
        [*cmd, str(compiled), str(folder)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"yara failed: {proc.stderr.strip()}")
    found = set()
    for line in proc.stdout.splitlines():
        rule, _, path = line.partition(" ")
        found.add((rule, path))
    return found


def best_of(rounds: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    total_mb = int(os.environ.get("MINECHECK_BENCH_CORPUS_MB", "200"))
    cli = ensure_cli()
    work = Path(tempfile.mkdtemp(prefix="minecheck-bench-yara-"))
    try:
        corpus = work / "corpus"
        files = build_corpus(corpus, total_mb)
        size_mb = sum(p.stat().st_size for p in files) / MB
        for p in files:  # warm the page cache: both sides scan from memory
            p.read_bytes()
        bundle = load_bundle(work / "home")  # compiles once, then cached
        rules = bundle.file_rules
        rounds = 3
        rows = []
        mc_results = {}
        configs = [(1, False), (2, False), (os.cpu_count() or 2, False), (2, True)]
        configs = list(dict.fromkeys(configs))
        cli_results = {}
        compiled = None
        version = None
        if cli:
            yara_cli, yarac = cli
            version = subprocess.run(
                [yara_cli, "--version"], capture_output=True, text=True
            ).stdout.strip()
            sources = sorted((ROOT / "signatures" / "yara" / "file").glob("*.yar"))
            compiled = work / "file-rules.yarc"
            subprocess.run(
                [yarac, "-w", *[f"{p.stem}:{p}" for p in sources], str(compiled)],
                check=True,
                capture_output=True,
            )
        # Interleave: for each round, each configuration of both tools once.
        timings: dict[tuple, float] = {}
        for _ in range(rounds):
            for threads, fast in configs:
                t, found = best_of(1, lambda t=threads, f=fast: minecheck_scan(rules, files, t, f))
                key = ("minecheck", threads, fast)
                timings[key] = min(timings.get(key, float("inf")), t)
                mc_results[key] = found
                if cli:
                    t, found = best_of(
                        1, lambda t=threads, f=fast: cli_scan(yara_cli, compiled, corpus, t, f)
                    )
                    key = ("cli", threads, fast)
                    timings[key] = min(timings.get(key, float("inf")), t)
                    cli_results[key] = found
            if cli:
                t, found = best_of(1, lambda: cli_scan(yara_cli, compiled, corpus, None, False))
                timings[("cli", "default", False)] = min(
                    timings.get(("cli", "default", False), float("inf")), t
                )
                cli_results[("cli", "default", False)] = found
        t_mem, found_mem = best_of(1, lambda: minecheck_scan(rules, files, 2, False, True))
        expected_matches = next(iter(mc_results.values()))
        agree = all(
            v == expected_matches for v in [*mc_results.values(), *cli_results.values(), found_mem]
        )
        for threads, fast in configs:
            mc = size_mb / timings[("minecheck", threads, fast)]
            row = [f"{threads}{' (fast mode)' if fast else ''}", f"{mc:,.0f}"]
            if cli:
                c = size_mb / timings[("cli", threads, fast)]
                row += [f"{c:,.0f}", f"{mc / c:.2f}×"]
            else:
                row += ["n/a", "n/a"]
            rows.append(row)
        if cli:
            c = size_mb / timings[("cli", "default", False)]
            mc = size_mb / timings[("minecheck", os.cpu_count() or 2, False)]
            rows.append(
                [
                    f"CLI default threads vs minecheck {os.cpu_count()}",
                    f"{mc:,.0f}",
                    f"{c:,.0f}",
                    f"{mc / c:.2f}×",
                ]
            )
        rows.append(
            ["2, read into memory first (`match(data=...)`)", f"{size_mb / t_mem:,.0f}", "", ""]
        )
        cli_note = (
            f"`{version}` (Debian package), rules compiled with its own `yarac`, "
            "`yara -C -r -w [-pN] [-f] RULES DIR`"
            if cli
            else "**the `yara` CLI is not installed and could not be installed: "
            "comparison skipped**"
        )
        body = (
            f"Corpus: {len(files)} files, {size_mb:,.0f} MB (ELF programs copied from /usr/bin, "
            "random binaries with and without ELF/MZ headers, text logs, 8 synthetic miner "
            f"executables), in the page cache. Rules: the bundle's {len(bundle.rule_names('file'))}"
            f" file-scope rules (bundle {bundle.version}). minecheck: yara-python "
            f"{yara.__version__} (libyara {yara.YARA_VERSION}), compiled rules from the bundle "
            "cache, `rules.match(filepath)` from a thread pool. CLI: " + cli_note + ". "
            f"Best of {rounds} interleaved rounds; throughput = corpus MB / wall time (MB/s). "
            "Both found the same matches: "
            + ("yes" if agree else "**NO**")
            + f" ({len(expected_matches)} rule/file matches). "
            "Target: minecheck ≥ 0.95× the CLI at equal threads. This machine has 2 cores "
            "shared with other helpers' work: figures are noisy.\n\n"
            + markdown_table(["threads", "minecheck MB/s", "yara CLI MB/s", "ratio"], rows)
        )
        write_section("yara_file", "YARA file scan: minecheck vs the yara CLI", body)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
