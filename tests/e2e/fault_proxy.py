"""A loopback TCP proxy that misbehaves on purpose, reproducibly (seeded): it drops
connections before forwarding, delays them, truncates the server's response, and can hold
every response for a fixed time (a slow collector). The target can be switched while it
runs (a collector restarted on another port).

    python tests/e2e/fault_proxy.py --target 127.0.0.1:8000 [--drop 0.1 --delay 0.2
        --truncate 0.1 --seed 1]      # prints "fault proxy listening on 127.0.0.1:PORT"
"""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import sys
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Faults:
    drop: float = 0.0  # close the client connection before anything is forwarded
    delay: float = 0.0  # wait delay_range seconds before forwarding
    delay_range: tuple[float, float] = (0.05, 0.5)
    truncate: float = 0.0  # forward the request, cut the response after a few bytes
    hold_response: float = 0.0  # every response waits this long (slow collector)
    seed: int = 0


@dataclass
class Counters:
    connections: int = 0
    dropped: int = 0
    delayed: int = 0
    truncated: int = 0
    refused: int = 0  # upstream not reachable
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)


class FaultProxy:
    def __init__(
        self,
        target: tuple[str, int],
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.target = target
        self.faults = faults or Faults()
        self.counters = Counters()
        self._rng = random.Random(self.faults.seed)
        self._rng_lock = threading.Lock()
        self._sock = socket.create_server((host, port), backlog=512)
        self.address = self._sock.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fault-proxy", daemon=True)

    def configure(self, faults: Faults) -> None:
        """New fault settings (and a fresh seeded random sequence) for new connections."""
        with self._rng_lock:
            self.faults = faults
            self._rng = random.Random(faults.seed)
            self.counters = Counters()

    @property
    def url(self) -> str:
        return f"http://{self.address[0]}:{self.address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(5)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _chance(self) -> random.Random:
        """A per-connection random sequence drawn from the seeded one."""
        with self._rng_lock:
            return random.Random(self._rng.getrandbits(64))

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _addr = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        self.counters.add("connections")
        rng = self._chance()
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            self.counters.add("refused")
            _close(client, reset=True)
            return
        upstream.settimeout(None)
        broken = threading.Event()
        up = threading.Thread(
            target=self._requests, args=(client, upstream, rng, broken), daemon=True
        )
        up.start()
        self._responses(upstream, client, random.Random(rng.getrandbits(64)), broken)
        _close(client, reset=broken.is_set())
        _close(upstream, reset=broken.is_set())
        up.join(1)

    def _requests(
        self, src: socket.socket, dst: socket.socket, rng: random.Random, broken: threading.Event
    ) -> None:
        """Client -> collector; each chunk may be dropped (both sides reset) or delayed."""
        f = self.faults
        try:
            while not broken.is_set():
                data = src.recv(65536)
                if not data:
                    break
                r = rng.random()
                if r < f.drop:
                    self.counters.add("dropped")
                    broken.set()
                    break
                if r < f.drop + f.delay:
                    self.counters.add("delayed")
                    time.sleep(rng.uniform(*f.delay_range))
                dst.sendall(data)
        except OSError:
            pass
        if broken.is_set():
            _close(src, reset=True)
            _close(dst, reset=True)
            return
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)

    def _responses(
        self, src: socket.socket, dst: socket.socket, rng: random.Random, broken: threading.Event
    ) -> None:
        """Collector -> client; held ``hold_response`` seconds; a chunk may be cut short."""
        f = self.faults
        try:
            while not broken.is_set():
                data = src.recv(65536)
                if not data:
                    break
                if f.hold_response:
                    time.sleep(f.hold_response)
                if rng.random() < f.truncate:
                    self.counters.add("truncated")
                    dst.sendall(data[: rng.randint(0, max(0, len(data) - 1))])
                    broken.set()
                    break
                dst.sendall(data)
        except OSError:
            broken.set()
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def _close(sock: socket.socket, reset: bool = False) -> None:
    try:
        if reset:  # RST instead of FIN: the peer sees a broken connection
            import struct

            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", required=True, help="HOST:PORT of the collector")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--drop", type=float, default=0.0)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--truncate", type=float, default=0.0)
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    host, _, port = args.target.rpartition(":")
    faults = Faults(
        drop=args.drop,
        delay=args.delay,
        truncate=args.truncate,
        hold_response=args.hold,
        seed=args.seed,
    )
    proxy = FaultProxy((host, int(port)), faults, port=args.port).start()
    print(f"fault proxy listening on {proxy.address[0]}:{proxy.address[1]}", flush=True)
    try:
        while True:
            time.sleep(5)
            c = proxy.counters
            print(
                f"connections {c.connections} dropped {c.dropped} delayed {c.delayed} "
                f"truncated {c.truncated} refused {c.refused}",
                flush=True,
            )
    except KeyboardInterrupt:
        proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
