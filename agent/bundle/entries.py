"""One fact of the signature bundle (a pool domain, an IP range, a port, a process name)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """A listed value with its tag (coin / family / category) and where the fact comes from."""

    value: str
    tag: str = ""
    source: str = ""
    note: str = ""

    @property
    def family(self) -> str:
        """Alias of ``tag`` (miner family, coin or category)."""
        return self.tag
