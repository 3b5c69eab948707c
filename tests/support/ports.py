"""Ports for servers that tests and benchmarks start: free ones below the kernel's ephemeral range."""

from __future__ import annotations

import random
import socket

_handed_out: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, below the kernel's ephemeral range.

    Asking the kernel for port 0 returns an ephemeral port, which an outgoing connection (to
    Postgres, RabbitMQ, S3) may take before our server binds it; ports below the range are only
    ever taken by listeners. Never the same port twice in one run."""
    low, _ = _ephemeral_range()
    candidates = list(range(20000, min(low, 32768)))
    random.shuffle(candidates)
    for port in candidates:
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port below the ephemeral range")


def _ephemeral_range() -> tuple[int, int]:
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as handle:
            low, high = (int(part) for part in handle.read().split())
            return low, high
    except (OSError, ValueError):
        return 32768, 60999
