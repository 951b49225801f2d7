"""Reading an upload body: streamed, size-limited, gzip decoded with a bomb guard."""

from __future__ import annotations

import ipaddress
import zlib

from django.conf import settings
from django.http import HttpRequest

CHUNK = 64 * 1024


class BodyError(Exception):
    """An upload body that cannot be accepted; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def read_body(request: HttpRequest, limit: int | None = None) -> bytes:
    """The decoded body, at most ``limit`` bytes after decompression (else 413)."""
    return read_body_keep(request, limit)[0]


def read_body_keep(request: HttpRequest, limit: int | None = None) -> tuple[bytes, bytes | None]:
    """(decoded body, the gzip bytes as received or None when the body was not gzip)."""
    limit = limit or settings.MINECHECK_MAX_REPORT_BYTES
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in {"identity", "", "gzip", "x-gzip", "deflate"}:
        raise BodyError(415, f"unsupported Content-Encoding {encoding!r}; use gzip or none")
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError as exc:
        raise BodyError(400, "invalid Content-Length") from exc
    if declared > limit:
        raise BodyError(413, f"body of {declared} bytes exceeds the limit of {limit} bytes")
    decoder = None
    if encoding in {"gzip", "x-gzip"}:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    out = bytearray()
    received = bytearray() if decoder is not None and encoding != "deflate" else None
    read = 0
    while True:
        chunk = request.read(CHUNK)
        if not chunk:
            break
        read += len(chunk)
        if read > limit:
            raise BodyError(413, f"body exceeds the limit of {limit} bytes")
        if decoder is None:
            out += chunk
            continue
        if received is not None:
            received += chunk
        try:
            # Never inflate more than the limit allows: a gzip bomb stops here.
            out += decoder.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit or decoder.unconsumed_tail:
                raise BodyError(413, f"decompressed body exceeds the limit of {limit} bytes")
        except zlib.error as exc:
            raise BodyError(400, f"body is not valid {encoding} data: {exc}") from exc
    if decoder is not None:
        try:
            out += decoder.flush(limit + 1 - len(out))
        except zlib.error as exc:
            raise BodyError(400, f"body is not valid {encoding} data: {exc}") from exc
        if len(out) > limit:
            raise BodyError(413, f"decompressed body exceeds the limit of {limit} bytes")
        if not decoder.eof:
            raise BodyError(400, f"body is truncated {encoding} data")
        if decoder.unused_data:
            received = None  # trailing data or several members: keep a clean copy instead
    return bytes(out), (bytes(received) if received is not None else None)


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    nets = []
    for item in settings.MINECHECK_TRUSTED_PROXIES:
        try:
            nets.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return nets


def _is_trusted(addr: str, nets) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in net for net in nets)


def client_address(request: HttpRequest) -> str | None:
    """The uploader's address: REMOTE_ADDR, or X-Forwarded-For when the peer is a trusted proxy
    (the right-most address not belonging to a trusted proxy)."""
    remote = request.META.get("REMOTE_ADDR") or None
    nets = _trusted_networks()
    if remote and nets and _is_trusted(remote, nets):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        for hop in reversed(hops):
            if not _is_trusted(hop, nets):
                remote = hop
                break
    if remote:
        try:
            ipaddress.ip_address(remote)
        except ValueError:
            return None
    return remote
