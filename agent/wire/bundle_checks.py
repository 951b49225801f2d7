"""The agent's bundle checks the collector runs before it signs a bundle.

A bundle the collector publishes must be one every agent accepts, so the collector runs the
agent's own code on it rather than a copy: the full content check (lists, rule lint, YARA
compilation) and the list importer it replays imports with. This module is the one door to
that code; the collector imports nothing else from the agent but ``agent.wire``. Unlike the
rest of the package it pulls in the agent's bundle code (and yara).
"""

from __future__ import annotations

from pathlib import Path

from agent.bundle.importer import ImportResult, import_files
from agent.bundle.loader import SOURCE_COLLECTOR, build_bundle, builtin_location
from agent.bundle.loader import override_dir as _override_dir
from agent.wire.bundle import BundleFiles

__all__ = ["ImportResult", "check_bundle", "import_list_files", "override_dir", "shipped_bundle"]


def shipped_bundle() -> BundleFiles:
    """The default bundle shipped with the agent (folder or packed form), manifest included."""
    from agent.bundle.files import read_bundle

    return read_bundle(builtin_location())


def check_bundle(bundle: BundleFiles) -> dict[str, int]:
    """Validate ``bundle`` exactly as an agent installing it would (manifest hashes, lists,
    rule lint, YARA compilation); its counts (rules, domains, ...) or BundleError."""
    return build_bundle(bundle, SOURCE_COLLECTOR, None).counts()


def import_list_files(paths: list[Path], home: Path, source: str | None = None) -> ImportResult:
    """The agent's ``signatures import`` of list files into ``home``'s override folder."""
    return import_files(paths, home, source=source)


def override_dir(home: Path) -> Path:
    """Where ``import_list_files`` writes the merged lists under ``home``."""
    return _override_dir(home)
