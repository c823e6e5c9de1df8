"""Synthetic but valid payloads for the benchmarks (deterministic: same seed, same bytes).

    python bench/generate.py [--out bench/data] [--scale 1.0]

- ``appcenter-batch-100mb.json``: an App Center batch of ~100 MB with ~1,000,000 frames spread over error logs,
  their threads and nested innerExceptions.
- ``backtrace-10k-threads.json``: a Backtrace JSON error object with 10,000 threads x 100 frames.
- ``rollbar-512kb-telemetry.json``: a Rollbar item just under the documented 512 KB limit, with telemetry.
- ``editor-20mb.json``: a 20 MB Backtrace document for the editor benchmark.
``--scale`` shrinks everything (0.01 for a quick run).
"""

from __future__ import annotations

import argparse
import random
import uuid
from pathlib import Path
from typing import Any

import orjson

ROLLBAR_LIMIT = 512 * 1024
DEVICE = {
    "sdkName": "appcenter.custom",
    "sdkVersion": "4.4.0",
    "osName": "Linux",
    "osVersion": "6.1",
    "model": "Bench",
    "locale": "en_US",
    "timeZoneOffset": 0,
    "appVersion": "1.2.3",
    "appBuild": "123",
    "appNamespace": "io.crashinspector.bench",
}


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _ac_frame(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "className": f"io.bench.module{i % 97}.Service{i % 13}",
        "methodName": f"handle{i % 1000}",
        "fileName": f"Service{i % 13}.java",
        "lineNumber": 1 + (i * 7) % 5000,
    }


def appcenter_batch(frames_total: int, rng: random.Random) -> dict[str, Any]:
    logs: list[dict[str, Any]] = []
    per_log = 50_000
    made = 0
    n = 0
    while made < frames_total:
        count = min(per_log, frames_total - made)
        # frames split: the exception, 2 levels of inner exceptions, and 4 threads
        chunk = [count // 8, count // 8, count // 8] + [0] * 4
        chunk[3:] = [(count - sum(chunk[:3])) // 4] * 4
        chunk[-1] += count - sum(chunk)
        frame_no = made

        def frames(k: int) -> list[dict[str, Any]]:
            nonlocal frame_no
            out = [_ac_frame(rng, frame_no + j) for j in range(k)]
            frame_no += k
            return out

        inner2 = {"type": "java.io.IOException", "message": "disk full", "frames": frames(chunk[2])}
        inner1 = {"type": "java.lang.IllegalStateException", "message": "write failed", "frames": frames(chunk[1]),
                  "innerExceptions": [inner2]}
        threads = [{"id": t, "name": f"worker-{t}", "frames": frames(chunk[3 + t])} for t in range(4)]
        logs.append({
            "type": "managedError",
            "id": _uuid(rng),
            "timestamp": "2026-11-01T10:00:00.000Z",
            "appLaunchTimestamp": "2026-11-01T09:59:00.000Z",
            "device": DEVICE,
            "processId": 4242,
            "processName": "bench",
            "fatal": True,
            "errorThreadId": 0,
            "errorThreadName": "worker-0",
            "exception": {"type": "java.lang.RuntimeException", "message": f"bench crash {n}",
                          "frames": frames(chunk[0]), "innerExceptions": [inner1]},
            "threads": threads,
        })
        made += count
        n += 1
    return {"logs": logs}


def backtrace_threads(threads: int, frames_per: int, rng: random.Random) -> dict[str, Any]:
    th = {}
    for t in range(threads):
        th[str(t)] = {
            "name": f"thread-{t}",
            "fault": t == 0,
            "stack": [{"funcName": f"fn_{t}_{f}", "library": f"/srv/app/lib{f % 31}.so", "line": 1 + f,
                       "address": hex(0x400000 + t * 4096 + f * 16)} for f in range(frames_per)],
        }
    return {
        "uuid": _uuid(rng),
        "timestamp": 1795373151,
        "lang": "c",
        "langVersion": "gcc 12",
        "agent": "crash-inspector-bench",
        "agentVersion": "1.0.0",
        "mainThread": "0",
        "threads": th,
        "attributes": {"application": "bench", "application.version": "1.2.3", "error.message": "bench crash"},
    }


def rollbar_at_limit(rng: random.Random) -> dict[str, Any]:
    item: dict[str, Any] = {
        "data": {
            "environment": "bench",
            "level": "error",
            "timestamp": 1795373100,
            "uuid": _uuid(rng),
            "language": "python 3.11",
            "body": {
                "trace": {
                    "frames": [{"filename": f"/srv/app/mod{i % 40}.py", "lineno": i + 1, "method": f"f{i}"}
                               for i in range(200)],
                    "exception": {"class": "ValueError", "message": "bench"},
                },
                "telemetry": [],
            },
        }
    }
    telemetry = item["data"]["body"]["telemetry"]
    i = 0
    while True:
        event = {"level": "info", "type": "log", "source": "server", "timestamp_ms": 1795373000000 + i * 10,
                 "body": {"message": f"request {i} handled in {rng.randint(1, 900)} ms " + "x" * 40}}
        telemetry.append(event)
        if len(orjson.dumps(item)) > ROLLBAR_LIMIT - 300:
            telemetry.pop()
            break
        i += 1
    return item


def generate(out: Path, scale: float = 1.0) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261122)
    files = {
        "appcenter": (out / "appcenter-batch-100mb.json", appcenter_batch(max(1000, int(1_000_000 * scale)), rng)),
        "backtrace": (out / "backtrace-10k-threads.json",
                      backtrace_threads(max(10, int(10_000 * scale)), 100, rng)),
        "rollbar": (out / "rollbar-512kb-telemetry.json", rollbar_at_limit(rng)),
        "editor": (out / "editor-20mb.json", backtrace_threads(max(10, int(1_400 * scale)), 100, rng)),
    }
    written = {}
    for key, (path, value) in files.items():
        path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 if key == "editor" else 0))
        written[key] = path
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(Path(__file__).parent / "data"))
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    for key, path in generate(Path(args.out), args.scale).items():
        print(f"{key:10} {path}  {path.stat().st_size / 2**20:8.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
