"""Parsers stay linear on hostile text: the time for an input 4x larger, as a ratio to the time for the input
itself (issue 15 item 3). A linear parser gives ~4x; a quadratic one ~16x (the old Apple ``_REST`` expression:
a 24 KB line of spaces took 8.8 s).

Run alone: ``python bench/bench_linear.py [--quick] [--json]``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from bench_common import ROOT, Row, best_of, emit, parse_args, ratio_row

from inspector.formats import load_bytes, reports
from inspector.formats.apple_text import parse_text
from inspector.formats.minidump_micro import parse_all

GOAL = 5.0  # 4x the input: linear is ~4x, anything near 16x is quadratic


def _repeat(line: str, size: int) -> str:
    return line * max(1, size // len(line))


def _inputs(size: int) -> dict[str, Callable[[], object]]:
    kscrash = (ROOT / "tests" / "corpus" / "apple" / "kscrash_CrashInHandler_recrash.txt").read_text()
    texts = {
        "apple: frame lines padded with spaces": "Thread 0 Crashed:\n"
        + _repeat("0   App   0x1 sym" + " " * 4000 + "\n", size),
        "apple: header keys with spaces": _repeat("Exception Type:" + " " * 4000 + "\n", size),
        "apple: 'Thread State' repeated": _repeat("Thread 0 crashed with" + " Thread State" * 300 + "\n", size),
        "apple: register-like letters": _repeat("Thread 0 crashed with ARM Thread State:\n" + "a" * 4000 + "\n", size),
        "apple: image lines of words": "Binary Images:\n" + _repeat("0x1 - 0x2 " + "a " * 2000 + "\n", size),
        "apple: KSCrash reports back to back": _repeat(kscrash, size),
    }
    fns: dict[str, Callable[[], object]] = {name: (lambda t=text: parse_text(t)) for name, text in texts.items()}
    micro = (
        "-----BEGIN BREAKPAD MICRODUMP-----\nO A arm 01 armv7 x\nS 0 1000 1000 1000\n"
        + _repeat("S 1000 " + "00" * 1024 + "\n", size // 2)
        + "-----END BREAKPAD MICRODUMP-----\n"
    )
    micro_bytes = micro.encode()
    fns["microdump: stack lines"] = lambda: parse_all(micro_bytes)
    js_stack = "Error: x\n" + _repeat("    at f (" + "a (" * 500 + "/srv/app.js:1:2)\n", size)
    doc = {
        "uuid": "8d7f2b5c-4e1a-4c3b-9a6f-0e2d3c4b5a69",
        "timestamp": 1,
        "lang": "nodejs",
        "langVersion": "20",
        "agent": "a",
        "agentVersion": "1",
        "mainThread": "main",
        "threads": {"main": {"fault": True, "stack": [{"funcName": "f", "line": 1, "column": 2}]}},
        "annotations": {"error": {"name": "Error", "message": "x", "stack": js_stack}},
    }
    sub = load_bytes(json.dumps(doc).encode())  # JSON parsing is bench_open's; this times reading the stack text
    fns["backtrace: error.stack text"] = lambda: reports(sub)
    return fns


def main() -> None:
    quick, as_json = parse_args()
    size = 1_000_000 if quick else 4_000_000
    small, large = _inputs(size), _inputs(4 * size)
    rows: list[Row] = []
    for name in small:
        t_small = best_of(small[name], 3)
        t_large = best_of(large[name], 3)
        rows.append(ratio_row("linear", f"{name} (4x input)", t_large, t_small, f"{size // 1000} KB input", GOAL))
    emit(rows, as_json)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
