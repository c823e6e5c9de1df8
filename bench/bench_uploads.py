"""Symbol uploads and source-map decoding (issue 16).

    python bench/bench_uploads.py [--quick] [--json]

* upload: a 256 MiB archive (sparse on disk; 32 MiB with --quick) through :func:`inspector.net.uploads.upload`
  (multipart built around the file, streamed in 64 KiB chunks, progress counted) against a raw ``httpx`` post of
  the same file streamed by a plain generator, both to one bare aiohttp server that reads and drops the body.
* source map: decoding a generated map of 1 000 000 segments on one line (a big minified bundle; 100 000 with
  --quick) against ``json.loads`` of the same text (the least any reader must do), and 100 000 lookups.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import httpx
from bench_common import Row, emit, interleaved, parse_args, ratio_row

SERVER = r"""
import sys
from aiohttp import web
async def handle(request):
    async for _chunk in request.content.iter_chunked(1 << 20):
        pass
    return web.json_response({"response": "ok", "_rxid": "01000000-7e23-7a1e-0000-000000000000"})
app = web.Application(client_max_size=16 * 2**30)
app.router.add_route("*", "/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *a: print("READY", flush=True))
"""

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int) -> str:
    value = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit = value & 31
        value >>= 5
        out += B64[digit | (32 if value else 0)]
        if not value:
            return out


def generated_map(segments: int) -> str:
    rng = random.Random(16)
    parts = []
    for _ in range(segments):
        fields = [rng.randint(1, 12), rng.randint(-1, 1), rng.randint(-3, 3), rng.randint(-20, 20)]
        if rng.random() < 0.3:
            fields.append(rng.randint(-5, 5))
        parts.append("".join(vlq(f) for f in fields))
    return json.dumps(
        {"version": 3, "sources": [f"src/m{i}.js" for i in range(3)], "names": ["n"] * 10, "mappings": ",".join(parts)}
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_upload(quick: bool) -> list[Row]:
    from inspector.formats.base import Target
    from inspector.net.client import SendOptions, make_client
    from inspector.net.uploads import upload

    size = (32 if quick else 256) * 1024 * 1024
    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    archive = folder / "symbols.zip"
    with open(archive, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(size)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and "READY" in server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        target = Target("backtrace-hosted", base, token="0" * 64, universe="bench")
        options = SendOptions(max_attempts=1, timeout=120)
        engine_client = make_client(options)
        raw_client = httpx.Client(timeout=120)

        def ours() -> None:
            result = upload(
                [archive], target, "symbols", options=options, client=engine_client, progress=lambda _d, _t: None
            )
            assert result.exchange.status == 200, result.exchange.summary

        def chunks():  # type: ignore[no-untyped-def]
            with open(archive, "rb") as fh:
                while data := fh.read(64 * 1024):
                    yield data

        def raw() -> None:
            headers = {"Content-Type": "application/zip", "Content-Length": str(size)}
            assert (
                raw_client.post(f"{base}/bench/{'0' * 64}/symbols", content=chunks(), headers=headers).status_code
                == 200
            )

        raw()
        ours()
        best = interleaved({"ours": ours, "raw": raw}, 2 if quick else 3)
        rate = size / best["ours"] / 1024 / 1024
        return [
            ratio_row(
                "upload",
                f"upload {size >> 20} MiB archive ({rate:.0f} MiB/s)",
                best["ours"],
                best["raw"],
                "raw httpx stream",
                1.2,
            )
        ]
    finally:
        server.terminate()
        server.wait(10)
        archive.unlink(missing_ok=True)
        folder.rmdir()


def bench_sourcemap(quick: bool) -> list[Row]:
    from inspector.formats.sourcemap import parse_source_map

    segments = 100_000 if quick else 1_000_000
    text = generated_map(segments)
    raw = text.encode()
    best = interleaved({"ours": lambda: parse_source_map(raw), "json": lambda: json.loads(text)}, 2 if quick else 3)
    source_map = parse_source_map(raw)
    width = int(source_map.gen_col[source_map.segments - 1])
    rng = random.Random(1)
    columns = [rng.randint(1, width) for _ in range(100_000)]
    start = time.perf_counter()
    for column in columns:
        source_map.lookup(1, column)
    lookups = time.perf_counter() - start
    return [
        Row(
            "srcmap",
            f"decode a map of {segments} segments ({len(raw) >> 20} MiB)",
            best["ours"],
            best["json"],
            "json.loads of it",
            note="informational: Python's VLQ loop",
        ),
        Row("srcmap", "100 000 lookups (binary search)", lookups, unit="s"),
    ]


def main() -> int:
    quick, as_json = parse_args()
    emit(bench_upload(quick) + bench_sourcemap(quick), as_json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
