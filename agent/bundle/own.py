"""The agent's own files (shipped bundle, home-folder bundles, compiled-rule cache): they hold
every miner string on purpose, and scanners must never report them."""

from __future__ import annotations

from pathlib import Path

from agent.bundle.files import sha256
from agent.bundle.loader import builtin_location, rules_cache_dir, signatures_home


def _own_roots(home: Path | None) -> list[Path]:
    from agent import paths

    home = Path(home) if home is not None else paths.home_dir()
    return [builtin_location(), signatures_home(home), rules_cache_dir(home)]


def own_paths(home: Path | None = None) -> frozenset[Path]:
    """Resolved paths of every file of the agent's own bundles and rule cache: scanners must
    never report these (they hold every miner string on purpose)."""
    found: set[Path] = set()
    for root in _own_roots(home):
        if root.is_dir():
            found.update(p.resolve() for p in root.rglob("*") if p.is_file())
    return frozenset(found)


def own_files(home: Path | None = None) -> dict[Path, str]:
    """own_paths() with the sha256 of each file."""
    result: dict[Path, str] = {}
    for path in own_paths(home):
        try:
            result[path] = sha256(path.read_bytes())
        except OSError:
            continue
    return result


def is_own_path(path: str | Path, home: Path | None = None) -> bool:
    """True when ``path`` lies inside the agent's bundle folders or rule cache."""
    try:
        target = Path(path).resolve()
    except (OSError, RuntimeError):
        return False
    for root in _own_roots(home):
        try:
            target.relative_to(root.resolve())
            return True
        except ValueError:
            continue
    return False
