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
from typing import Any

from inspector.net.indexer import IndexWork, serve
from inspector.net.receiver_analysis import describe_capture
from inspector.net.store import CaptureStore


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    store = CaptureStore(args[0])
    out = sys.stdout
    if hasattr(os, "nice"):
        # Below the receiver: under load the answers (stage one) get the cores; this stage catches up after.
        with contextlib.suppress(OSError):
            os.nice(10)

    def emit(message: dict[str, Any]) -> None:
        out.write(json.dumps(message, ensure_ascii=False) + "\n")
        out.flush()

    work = IndexWork(store, describe_capture, emit)
    try:
        serve(work)
    except (BrokenPipeError, KeyboardInterrupt):  # the receiver went away: the next load replays the rest
        with contextlib.suppress(OSError):
            os.close(1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
