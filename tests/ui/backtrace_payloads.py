"""The Backtrace payload the big-document UI tests edit (made "big" by their monkeypatched thresholds)."""

from __future__ import annotations

from typing import Any


def backtrace_value(
    threads: int = 40, frames: int = 20, *, fault: int | None = None, library: str | None = None, **attributes: str
) -> dict[str, Any]:
    """A Backtrace error object of ``threads`` threads of ``frames`` frames each (``worker-N``, ``fn_N_F``); thread
    ``fault`` marked as faulting, every frame in ``library`` when given; ``attributes`` added to its two."""

    def frame(t: int, f: int) -> dict[str, Any]:
        return {"funcName": f"fn_{t}_{f}"} | ({"library": library} if library else {}) | {"line": f + 1}

    def thread(t: int) -> dict[str, Any]:
        flags = {"fault": t == fault} if fault is not None else {}
        return {"name": f"worker-{t}"} | flags | {"stack": [frame(t, f) for f in range(frames)]}

    return {
        "uuid": "4c2b7a3e-1111-4a4a-9b9b-123456789abc",
        "timestamp": 1_795_373_151,
        "lang": "c",
        "langVersion": "gcc 12",
        "agent": "bench",
        "agentVersion": "1.0.0",
        "mainThread": "3",
        "threads": {str(t): thread(t) for t in range(threads)},
        "attributes": {"application": "bench", "hostname": "qa-1"} | attributes,
    }
