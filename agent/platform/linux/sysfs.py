"""Reading small text files under /proc, /sys and /etc, relative to a root (tests use a tree)."""

from __future__ import annotations

from pathlib import Path


class Root:
    """A filesystem root; ``Root('/')`` is the running system."""

    def __init__(self, root: str | Path = "/") -> None:
        self.root = Path(root)

    def path(self, *parts: str) -> Path:
        rel = "/".join(p.strip("/") for p in parts)
        return self.root / rel

    def read(self, *parts: str) -> str | None:
        """Stripped text of a file; None when absent, empty or unreadable (not denied)."""
        try:
            return self.read_strict(*parts)
        except PermissionError:
            return None

    def read_strict(self, *parts: str) -> str | None:
        """Like :meth:`read` but raises PermissionError when the file is root-only."""
        try:
            value = self.path(*parts).read_text(encoding="utf-8", errors="replace").strip()
        except PermissionError:
            raise
        except OSError:
            return None
        return value or None

    def listdir(self, *parts: str) -> list[str]:
        try:
            return sorted(p.name for p in self.path(*parts).iterdir())
        except OSError:
            return []

    def exists(self, *parts: str) -> bool:
        return self.path(*parts).exists()

    def resolve(self, *parts: str) -> str | None:
        """Target of a symlink relative to the root, e.g. '/sys/devices/virtual/net/lo'."""
        try:
            target = self.path(*parts).resolve()
        except OSError:
            return None
        try:
            return "/" + str(target.relative_to(self.root.resolve()))
        except ValueError:
            return str(target)
