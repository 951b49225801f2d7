"""Draw the Windows icon ``build/minecheck.ico`` (a magnifier over a gold coin on blue).

Pure Python (no imaging library): each size is rendered with 4x4 supersampling and stored
as a 32-bit BMP entry (16-48 px) or a PNG entry (256 px), as the ICO format allows.
Run ``python build/make_icon.py`` after changing the drawing; the .ico is committed.
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

ICON = Path(__file__).resolve().parent / "minecheck.ico"
BMP_SIZES = (16, 24, 32, 48)
PNG_SIZES = (256,)

BLUE = (21, 101, 192)
WHITE = (255, 255, 255)
GOLD = (255, 193, 7)
DARK_GOLD = (191, 134, 0)


def _shape(x: float, y: float) -> tuple[int, int, int] | None:
    """Colour at (x, y) in the unit square, or None for transparent."""
    r = 0.18  # rounded corners of the background
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return None
    lx, ly = 0.42, 0.42
    d = math.hypot(x - lx, y - ly)
    # Handle: a thick segment from the lens towards the lower right corner.
    t = max(0.0, min(1.0, ((x - 0.58) * 0.24 + (y - 0.58) * 0.24) / (2 * 0.24**2)))
    hx, hy = 0.58 + 0.24 * t, 0.58 + 0.24 * t
    if math.hypot(x - hx, y - hy) < 0.065:
        return WHITE
    if 0.2 <= d <= 0.27:
        return WHITE
    if d < 0.14:
        return DARK_GOLD if d > 0.10 else GOLD
    return BLUE


def render(size: int, ss: int = 4) -> list[list[tuple[int, int, int, int]]]:
    """Rows (top first) of RGBA pixels."""
    rows = []
    for py in range(size):
        row = []
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(ss):
                for sx in range(ss):
                    c = _shape((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size)
                    if c is not None:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 1
            n = acc[3]
            if n == 0:
                row.append((0, 0, 0, 0))
            else:
                row.append((acc[0] // n, acc[1] // n, acc[2] // n, 255 * n // (ss * ss)))
        rows.append(row)
    return rows


def bmp_entry(size: int) -> bytes:
    rows = render(size)
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = b"".join(bytes((b, g, r, a)) for row in reversed(rows) for (r, g, b, a) in row)
    mask_row = ((size + 31) // 32) * 4  # AND mask: all zero, alpha does the work
    return header + pixels + b"\0" * mask_row * size


def png_entry(size: int) -> bytes:
    rows = render(size, ss=2)
    raw = b"".join(b"\0" + b"".join(bytes(p) for p in row) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def ico_bytes() -> bytes:
    images = [(s, bmp_entry(s)) for s in BMP_SIZES] + [(s, png_entry(s)) for s in PNG_SIZES]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    directory, blobs = b"", b""
    for size, data in images:
        dim = 0 if size >= 256 else size
        directory += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return out + directory + blobs


def main() -> int:
    ICON.write_bytes(ico_bytes())
    print(f"wrote {ICON} ({ICON.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
