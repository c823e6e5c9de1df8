"""The receiver's second stage as a child process: ``python -m inspector.net.indexer_main STORE``.

A module of its own so that :mod:`inspector.net.indexer` (used by the receiver) does not import the receiver
back: this entry point needs :func:`inspector.net.receiver_analysis.describe_capture` to validate. See
:mod:`inspector.net.indexer` for the protocol. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from typing import Any

import orjson

from inspector.net.indexer import IndexWork, serve
from inspector.net.receiver_analysis import describe_capture
from inspector.net.store import CaptureStore

#: Records are sent to the receiver at least this often (seconds) while a long piece of work runs.
FLUSH_EVERY = 0.05


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    store = CaptureStore(args[0])
    out = sys.stdout.buffer
    if hasattr(os, "nice"):
        # Below the receiver: under load the answers (stage one) get the cores; this stage catches up after.
        with contextlib.suppress(OSError):
            os.nice(10)

    last_flush = time.monotonic()

    def emit(message: dict[str, Any]) -> None:
        # Buffered: one pipe write (one wake-up of the receiver's reader) per FLUSH_EVERY seconds of work or per
        # piece of work done, not one per record.
        try:
            line = orjson.dumps(message)
        except orjson.JSONEncodeError:  # a path with undecodable bytes (surrogate escapes): JSON escapes them
            line = json.dumps(message).encode("ascii")
        out.write(line + b"\n")
        now = time.monotonic()
        if now - last_flush >= FLUSH_EVERY:
            flush()

    def flush() -> None:
        nonlocal last_flush
        out.flush()
        last_flush = time.monotonic()

    work = IndexWork(store, describe_capture, emit, flush)
    try:
        serve(work)
    except (BrokenPipeError, KeyboardInterrupt):  # the receiver went away: the next load replays the rest
        with contextlib.suppress(OSError):
            os.close(1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
