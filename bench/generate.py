"""Synthetic but valid payloads for the benchmarks (deterministic: same seed, same bytes).

    python bench/generate.py [--out bench/data] [--scale 1.0]

- ``appcenter-batch-100mb.json``: an App Center batch of ~100 MB with ~1,000,000 frames spread over error logs,
  their threads and nested innerExceptions.
- ``backtrace-10k-threads.json``: a Backtrace JSON error object with 10,000 threads x 100 frames.
- ``rollbar-512kb-telemetry.json``: a Rollbar item just under the documented 512 KB limit, with telemetry.
- ``editor-20mb.json``: a 20 MB Backtrace document for the editor benchmark.
``--scale`` shrinks everything (0.01 for a quick run).

``--shapes`` writes the payload shapes that once made the piecewise parser slow (bench_open.py parses each
against ``json.loads`` and ``orjson.loads``), into ``shapes/``: ``wide-custom`` (a Rollbar item with a ``custom``
object of 110 000 keys and 150 000 frames with source context, ~58 MB at full scale), ``wide-attributes``
(Backtrace ``attributes`` and ``annotations`` of 300 000 keys each), ``long-strings`` (a few 8 MB strings full
of escapes and non-ASCII), ``base64`` (an App Center batch with 40 MB base64 attachments), ``deep`` (objects nested
200 deep, each level with a little content) and ``small-logs`` (an App Center batch of 400 000 tiny logs).
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
        inner1 = {
            "type": "java.lang.IllegalStateException",
            "message": "write failed",
            "frames": frames(chunk[1]),
            "innerExceptions": [inner2],
        }
        threads = [{"id": t, "name": f"worker-{t}", "frames": frames(chunk[3 + t])} for t in range(4)]
        logs.append(
            {
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
                "exception": {
                    "type": "java.lang.RuntimeException",
                    "message": f"bench crash {n}",
                    "frames": frames(chunk[0]),
                    "innerExceptions": [inner1],
                },
                "threads": threads,
            }
        )
        made += count
        n += 1
    return {"logs": logs}


def backtrace_threads(threads: int, frames_per: int, rng: random.Random) -> dict[str, Any]:
    th = {}
    for t in range(threads):
        th[str(t)] = {
            "name": f"thread-{t}",
            "fault": t == 0,
            "stack": [
                {
                    "funcName": f"fn_{t}_{f}",
                    "library": f"/srv/app/lib{f % 31}.so",
                    "line": 1 + f,
                    "address": hex(0x400000 + t * 4096 + f * 16),
                }
                for f in range(frames_per)
            ],
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
                    "frames": [
                        {"filename": f"/srv/app/mod{i % 40}.py", "lineno": i + 1, "method": f"f{i}"} for i in range(200)
                    ],
                    "exception": {"class": "ValueError", "message": "bench"},
                },
                "telemetry": [],
            },
        }
    }
    telemetry = item["data"]["body"]["telemetry"]
    i = 0
    while True:
        event = {
            "level": "info",
            "type": "log",
            "source": "server",
            "timestamp_ms": 1795373000000 + i * 10,
            "body": {"message": f"request {i} handled in {rng.randint(1, 900)} ms " + "x" * 40},
        }
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
        "backtrace": (out / "backtrace-10k-threads.json", backtrace_threads(max(10, int(10_000 * scale)), 100, rng)),
        "rollbar": (out / "rollbar-512kb-telemetry.json", rollbar_at_limit(rng)),
        "editor": (out / "editor-20mb.json", backtrace_threads(max(10, int(1_400 * scale)), 100, rng)),
    }
    written = {}
    for key, (path, value) in files.items():
        path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 if key == "editor" else 0))
        written[key] = path
    return written


def wide_custom(scale: float, rng: random.Random) -> dict[str, Any]:
    frames = [
        {
            "filename": f"/srv/app/mod{i % 40}.py",
            "lineno": i + 1,
            "method": f"f{i}",
            "code": f"    result_{i % 97} = self.handler.process(request, context=ctx, retries=3)",
            "context": {
                "pre": [
                    f"    def step_{i % 211}(self, request, ctx):  # before {i}",
                    f"        log.info('processing %s in worker %d', request.id, {i % 16})",
                ],
                "post": [
                    f"        log.debug('after {i}: %r', result_{i % 97})",
                    "        return result",
                ],
            },
        }
        for i in range(max(100, int(150_000 * scale)))
    ]
    custom: dict[str, Any] = {}
    for i in range(max(100, int(110_000 * scale))):
        kind = i % 4
        custom[f"key_{i}"] = (i, f"value {i} " + "v" * (i % 300), i % 2 == 0, None)[kind]
    return {
        "access_token": "a" * 32,
        "data": {
            "environment": "bench",
            "level": "error",
            "uuid": _uuid(rng),
            "language": "python",
            "body": {"trace": {"frames": frames, "exception": {"class": "ValueError", "message": "wide"}}},
            "custom": custom,
        },
    }


def wide_attributes(scale: float, rng: random.Random) -> dict[str, Any]:
    n = max(100, int(300_000 * scale))
    return {
        "uuid": _uuid(rng),
        "timestamp": 1795373151,
        "lang": "c",
        "langVersion": "gcc 12",
        "agent": "crash-inspector-bench",
        "agentVersion": "1.0.0",
        "mainThread": "0",
        "threads": {"0": {"name": "main", "stack": [{"funcName": "main"}]}},
        "attributes": {f"attr.{i}": (f"text {i}" if i % 3 else i) for i in range(n)},
        "annotations": {f"Note {i}": {"k": i, "list": [i, str(i)]} if i % 5 == 0 else f"n{i}" for i in range(n)},
    }


def long_strings(scale: float, rng: random.Random) -> dict[str, Any]:
    size = max(10_000, int(8_000_000 * scale))
    text = ('line "quoted" \\ back\\slash, {brace} [bracket] é€😀\n' * (size // 48 + 1))[:size]
    return {
        "logs": [
            {"type": "managedError", "id": _uuid(rng), "exception": {"type": "E", "message": text, "stackTrace": text}}
            for _ in range(3)
        ]
    }


def base64_attachments(scale: float, rng: random.Random) -> dict[str, Any]:
    import base64

    size = max(30_000, int(30_000_000 * scale))
    blob = base64.b64encode(rng.randbytes(size)).decode()
    return {
        "logs": [
            {
                "type": "errorAttachment",
                "id": _uuid(rng),
                "errorId": _uuid(rng),
                "contentType": "application/octet-stream",
                "fileName": f"dump{i}.bin",
                "data": blob,
            }
            for i in range(2)
        ]
    }


def deep_nesting(scale: float, rng: random.Random) -> dict[str, Any]:
    levels = 200  # orjson writes at most 255 levels
    per_level = max(2, int(2_000 * scale))
    node: dict[str, Any] = {"leaf": True}
    for level in range(levels):
        node = {"level": level, "items": [{"i": i, "name": f"item {i}"} for i in range(per_level)], "child": node}
    return {"data": {"body": {"message": {"body": "deep"}}, "custom": node}}


def small_logs(scale: float, rng: random.Random) -> dict[str, Any]:
    n = max(1000, int(400_000 * scale))
    return {
        "logs": [
            {"type": "event", "id": f"{i:08x}", "name": f"e{i % 50}", "timestamp": "2026-11-22T10:00:00Z", "sid": "s"}
            for i in range(n)
        ]
    }


SHAPES = {
    "wide-custom": wide_custom,
    "wide-attributes": wide_attributes,
    "long-strings": long_strings,
    "base64": base64_attachments,
    "deep": deep_nesting,
    "small-logs": small_logs,
}


def generate_shapes(out: Path, scale: float = 1.0) -> dict[str, Path]:
    """Write every shape as ``out/<name>.json`` (compact, as SDKs send them)."""
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, make in SHAPES.items():
        path = out / f"{name}.json"
        path.write_bytes(orjson.dumps(make(scale, random.Random(20261202))))
        written[name] = path
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(Path(__file__).parent / "data"))
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--shapes", action="store_true", help="write the payload shapes instead")
    args = parser.parse_args()
    if args.shapes:
        for key, path in generate_shapes(Path(args.out), args.scale).items():
            print(f"{key:16} {path}  {path.stat().st_size / 2**20:8.1f} MB")
        return 0
    for key, path in generate(Path(args.out), args.scale).items():
        print(f"{key:10} {path}  {path.stat().st_size / 2**20:8.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
