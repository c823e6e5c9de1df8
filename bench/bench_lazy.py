"""The lazy report views on big documents: what the tests once asserted with wall-clock limits (they now assert
only the behaviour: views, not copies, and the right frames). Each row is a limit (the old test's) and, where it
means something, a ratio against ``json.loads`` of the same document.

    python bench/bench_lazy.py [--quick] [--json]
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json

import orjson
from bench_common import Row, emit, interleaved, limit_row, parse_args, ratio_row

from inspector.formats import load_bytes, reports, validate


def _backtrace(threads: int) -> bytes:
    doc = {
        "uuid": "5e9d2a2f-6a8c-4c1a-9b5e-0a4d6f1b2c3d",
        "timestamp": 1795373151,
        "lang": "c",
        "langVersion": "gcc 12",
        "agent": "bench",
        "agentVersion": "1.0.0",
        "mainThread": "7",
        "threads": {
            str(t): {
                "name": f"t{t}",
                "fault": t == 7,
                "stack": [{"funcName": f"f{i}", "library": "lib.so", "line": i + 1} for i in range(100)],
            }
            for t in range(threads)
        },
    }
    return orjson.dumps(doc)


def _rollbar(frames: int) -> bytes:
    frame = {"filename": "/srv/app/deep.py", "lineno": 7, "method": "recurse"}
    items = [frame] * frames
    items[-1] = {"filename": "/srv/app/deep.py", "lineno": 99, "method": "boom"}
    item = {"data": {"environment": "x", "body": {"trace": {"frames": items, "exception": {"class": "E"}}}}}
    return orjson.dumps(item)


def main() -> int:
    quick, as_json = parse_args()
    n = 2 if quick else 3
    scale = 20 if quick else 1
    rows: list[Row] = []
    for label, data, name in (
        (f"Backtrace {10_000 // scale:,} threads x 100 frames", _backtrace(10_000 // scale), "bt.json"),
        (f"Rollbar {1_000_000 // scale:,} frames", _rollbar(1_000_000 // scale), "rb.json"),
    ):
        sub = load_bytes(data, source_name=name)
        found = reports(sub)
        frames = found[0].exceptions[0].frames if found[0].exceptions else found[0].threads[0].frames
        best = interleaved(
            {
                "reports": lambda sub=sub: reports(sub),
                "matching": lambda frames=frames: frames.matching("boom"),  # type: ignore[attr-defined]
                "validate": lambda sub=sub: validate(sub),
                "json": lambda data=data: json.loads(data),
            },
            n,
        )
        rows.append(limit_row("lazy", f"{label}: reports()", best["reports"] * 1000, 500))
        rows.append(limit_row("lazy", f"{label}: search the first stack", best["matching"] * 1000, 3000))
        rows.append(ratio_row("lazy", f"{label}: validate()", best["validate"], best["json"], "json.loads", 10.0))
    emit(rows, as_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
