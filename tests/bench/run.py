"""Run every benchmark (tests/bench/bench_*.py), or the ones named:
`python tests/bench/run.py [NAME...]`.

Each bench module exposes ``main() -> None`` and writes its own section of docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    failed = []
    for name in names:
        print(f"=== bench {name}", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"tests.bench.bench_{name}").main()
        except Exception as exc:  # noqa: BLE001 - run the others, report at the end
            failed.append(name)
            print(f"!!! bench {name} failed: {type(exc).__name__}: {exc}", flush=True)
        print(f"=== bench {name} took {time.perf_counter() - started:.1f}s", flush=True)
    if failed:
        print("failed benchmarks:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
