"""How the local receiver listens and how patient it is (:class:`ReceiverConfig`), and the exposure warning for
an address other machines can reach. Nothing here imports Qt."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_MAX_BODY = 64 * 1024 * 1024


@dataclass(slots=True)
class ReceiverConfig:
    """How the receiver listens and how patient it is.

    ``header_timeout``: a connection that has not sent a whole request head (or sits idle between requests)
    this long is closed. ``read_timeout``: longest pause between two body reads; ``body_timeout``: longest
    time for a whole body; ``min_body_rate`` (bytes/s, averaged, after ``rate_grace`` seconds): slower bodies
    are cut off with 408. ``max_concurrency``: requests processed at once (bodies are read before a slot is
    taken, so slow clients never hold one). ``memory_limit``: bytes of bodies (and of what decoding them may
    produce) held at once across all requests (0: ``max(256 MiB, 3 x max_body)``). ``max_upload``: the cap of a
    symbol / source-map archive (streamed to disk, never held in memory).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    strict: bool = False
    max_body: int = DEFAULT_MAX_BODY
    header_timeout: float = 30.0
    read_timeout: float = 10.0
    body_timeout: float = 120.0
    min_body_rate: float = 1024.0
    rate_grace: float = 5.0
    max_concurrency: int = 64
    memory_limit: int = 0
    max_upload: int = 10 * 1024**3
    shutdown_timeout: float = 30.0
    workers: int = 2  # threads redacting / reading big bodies (CPU bound: more do not help under the GIL)
    inline_max: int = 256 * 1024  # plain bodies up to this size are redacted on the loop thread
    max_batch: int = 512  # captures appended to the journal together, made durable by one fdatasync
    #: Run the second stage (inbox files, validation) in a child process; False: on a thread of this one.
    index_process: bool = True
    defer_min: int = 0  # kept for old callers: every capture is now validated after its answer (stage two)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``; anything else is reachable from other machines."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return (
        f"WARNING: the receiver listens on {host}, reachable from other machines. Anyone who can reach it can "
        "store data on this computer. Use 127.0.0.1 unless you need this."
    )
