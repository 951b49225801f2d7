"""The default signature bundle shipped with the agent (data files; see manifest.json)."""

from pathlib import Path

BUNDLE_DIR = Path(__file__).resolve().parent
