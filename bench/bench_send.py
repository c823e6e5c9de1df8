"""Bulk send with the send engine against a raw httpx loop (goal <= 1.1x), both to one minimal local server.

    python bench/bench_send.py [--quick] [--json]

The server (a separate process, bare aiohttp, answers 200 with a Rollbar-like JSON) runs on 127.0.0.1. The
engine sends each corpus Rollbar item as built by ``build_request`` with ``send_request`` over one shared client
(outcome reading included); the raw loop posts the same bodies with ``httpx.Client.post``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import httpx
from bench_common import ROOT, emit, interleaved, parse_args, ratio_row

SERVER = r"""
import sys
from aiohttp import web
async def handle(request):
    await request.read()
    return web.json_response({"err": 0, "result": {"id": None, "uuid": "0123456789abcdef0123456789abcdef"}})
app = web.Application(client_max_size=64 * 2**20)
app.router.add_route("*", "/{tail:.*}", handle)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=lambda *a: print("READY", flush=True))
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    quick, as_json = parse_args()
    from inspector.formats import get_format, load_path
    from inspector.formats.base import Target
    from inspector.net.client import SendOptions, make_client, send_request

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and "READY" in server.stdout.readline()
        base = f"http://127.0.0.1:{port}"
        rollbar = get_format("rollbar")
        subs = [load_path(str(p)) for p in sorted((ROOT / "tests" / "corpus" / "rollbar").glob("*.json"))]
        specs = []
        for sub in subs:
            if sub.format == "rollbar":
                try:
                    specs.append(rollbar.build_request(sub, Target("rollbar", base, token="bench-token")))
                except Exception:
                    pass
        count = 40 if quick else 200
        options = SendOptions(max_attempts=1)
        engine_client = make_client(options)
        raw_client = httpx.Client(timeout=30)

        def engine() -> None:
            for i in range(count):
                spec = specs[i % len(specs)]
                exchange = send_request(
                    spec, read_response=rollbar.read_response, options=options, client=engine_client
                )
                assert exchange.status == 200, exchange.summary

        def raw() -> None:
            for i in range(count):
                spec = specs[i % len(specs)]
                assert raw_client.post(spec.url, content=spec.body, headers=spec.headers).status_code == 200

        raw()  # connect and warm both
        engine()
        best = interleaved({"engine": engine, "raw": raw}, 3 if quick else 5)
        rate = count / best["engine"]
        emit(
            [
                ratio_row(
                    "send",
                    f"bulk send {count} Rollbar items ({rate:.0f}/s)",
                    best["engine"],
                    best["raw"],
                    "raw httpx loop",
                    1.1,
                )
            ],
            as_json,
        )
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    time.perf_counter()
    sys.exit(main())
