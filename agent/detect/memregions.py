"""Choosing which parts of a process's memory to scan (regions in the /proc/PID/maps form;
the OS packages under agent.platform list them).

The strings that name a miner live in its image, its heap and small anonymous regions;
huge anonymous regions (the 2 GB RandomX dataset) are pseudo-random and only sampled.
"""

from __future__ import annotations

from collections.abc import Iterator

from agent.platform.types import Region

REGION_CAP = 64 * 2**20  # anonymous regions larger than this are only sampled
SAMPLE_BYTES = 1 * 2**20  # how much of a huge region's start is read
PROCESS_CAP = 384 * 2**20  # at most this much memory per process
CHUNK = 16 * 2**20  # bytes handed to YARA per call
OVERLAP = 4096  # kept between chunks so a string across a boundary is still found
_SKIP_SPECIAL = ("[vvar]", "[vsyscall]", "[vvar_vclock]")


def select(regions: list[Region], exe: str | None) -> list[tuple[int, int]]:
    """(start, length) ranges to read, in address order, within the per-process cap."""
    exe_names = {exe, f"{exe} (deleted)"} if exe else set()
    chosen: list[tuple[int, int]] = []
    total = 0
    for r in regions:
        if "r" not in r.perms or r.path in _SKIP_SPECIAL:
            continue
        path = r.path
        if path and not path.startswith("["):
            is_image = path in exe_names or path.startswith(("/memfd:", "memfd:"))
            if not is_image:
                # file-backed: shared libraries and data files are not the miner
                continue
            length = min(r.size, REGION_CAP)
        elif path in ("[heap]", "[stack]") or path.startswith("[anon"):
            length = min(r.size, REGION_CAP)
        elif not path:
            if "s" in r.perms[3:]:
                continue
            length = r.size if r.size <= REGION_CAP else SAMPLE_BYTES
        else:
            continue
        length = min(length, PROCESS_CAP - total)
        if length <= 0:
            break
        chosen.append((r.start, length))
        total += length
    return chosen


def batches(ranges: list[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """Group ranges (split when larger than CHUNK) into batches of about CHUNK bytes."""
    batch: list[tuple[int, int]] = []
    size = 0
    for start, length in ranges:
        pos = 0
        while pos < length:
            piece = min(CHUNK, length - pos)
            # the next piece starts OVERLAP earlier so strings across the cut are seen whole
            begin = start + max(0, pos - (OVERLAP if pos else 0))
            plen = piece + (start + pos - begin)
            if size + plen > CHUNK and batch:
                yield batch
                batch, size = [], 0
            batch.append((begin, plen))
            size += plen
            pos += piece
    if batch:
        yield batch
