"""Regenerate signatures/manifest.json (sha256 of every bundle file, version, date).

    python build/sign_bundle.py [--version 2026.11.23.2] [--check] [FOLDER]

Without --version the version is kept when nothing changed, else bumped to today's
``YYYY.MM.DD.N``. --check exits 1 when the manifest is stale (what the test checks).
Same as ``minecheck signatures manifest``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from agent.bundle.files import (  # noqa: E402
    BundleError,
    read_folder,
    verify_manifest,
    write_manifest,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "signatures")
    parser.add_argument("--version", help="bundle version to write")
    parser.add_argument("--check", action="store_true", help="only check; exit 1 when stale")
    args = parser.parse_args(argv)
    if args.check:
        try:
            manifest = verify_manifest(read_folder(args.folder))
        except BundleError as exc:
            print(f"stale or broken manifest: {exc}", file=sys.stderr)
            return 1
        print(f"manifest up to date: version {manifest.version}")
        return 0
    manifest, changed = write_manifest(args.folder, args.version)
    state = "written" if changed else "unchanged"
    print(f"manifest {state}: version {manifest.version}, {len(manifest.files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
