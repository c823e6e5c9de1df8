"""Load the local receiver on loopback and compare it with a bare aiohttp server that only answers 200.

    .venv/bin/python bench/bench_receiver.py [--requests 2000] [--concurrency 32]

Each server runs in its own process (so the load generator does not share its GIL). The payloads are the real
SDK captures of the corpus (every ``*.request.http``) plus a gzipped App Center batch, sent round-robin by an
aiohttp client with ``--concurrency`` connections. Reported: payloads per second, p50/p99 latency, the server
process's CPU time per request (user + system; steadier than req/s on a shared machine), and loss (requests
answered 2xx minus captures found in the store afterwards; must be 0; captures still ``pending`` validation
after the graceful stop are counted too and must be 0). Bounded in count and time.

What the comparison means: the baseline reads the body and answers; the receiver also parses the payload with the
format core (HTTP head, envelope, JSON), validates it, redacts secrets, and makes two files durable (temp file,
fsync, rename, folder fsync) before answering. On a 2-core machine shared with the load generator both are CPU
bound, so the ratio is roughly baseline CPU/request over receiver CPU/request. Where the receiver's time goes
(py-spy, 2026-11): about 60% is the format core (load ~0.15 ms, validation ~0.25 ms, exception summary ~0.03 ms per
payload on an idle core, more under load), ~25% aiohttp, the rest redaction, the record and the writer thread.
The receiver used to lose most of its time to thread hops and GIL contention (3 executor hops per request, 16
writer threads each fsyncing); it now parses small bodies on the loop thread and writes in group-committed batches
(see inspector/net/writer.py). Deferring validation until after the answer was measured too: for small payloads
it costs more (a second record write) than it saves, so only bodies of 64 KiB or more are answered first
(``ReceiverConfig.defer_min``); pass ``--defer-min 0`` to measure that mode.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from inspector.formats.envelope import parse_http_request  # noqa: E402

HOST = "127.0.0.1"
SKIP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


def load_payloads() -> list[tuple[str, list[tuple[str, str]], bytes]]:
    """(target, headers, body) of every corpus capture, plus an App Center batch gzipped like the SDKs do."""
    corpus = ROOT / "tests" / "corpus"
    out = []
    for path in sorted(corpus.rglob("*.request.http")):
        http, body, _ = parse_http_request(path.read_bytes())
        headers = [(k, v) for k, v in http.headers if k.lower() not in SKIP_HEADERS]
        out.append((http.target, headers, body))
    logs = (corpus / "appcenter" / "docs_managedError_android_innerExceptions.json").read_bytes()
    headers = [("App-Secret", "00000000-0000-4000-8000-000000000000"), ("Install-ID", "1"),
               ("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    out.append(("/logs?api-version=1.0.0", headers, gzip.compress(logs)))
    return out


# ------------------------------------------------------------------------------------------------ servers


def _serve_receiver(store_dir: str, ready: mp.Queue, stop: mp.Event, defer_min: int | None = None) -> None:
    from inspector.net.receiver import ReceiverConfig, ReceiverThread
    from inspector.net.store import CaptureStore

    config = ReceiverConfig(host=HOST, port=0)
    if defer_min is not None:
        config.defer_min = defer_min
    thread = ReceiverThread(CaptureStore(store_dir), config)
    port = thread.start()
    cpu = time.process_time()
    ready.put(port)
    stop.wait()
    cpu = time.process_time() - cpu
    writer = getattr(thread.receiver, "_writer", None)
    batches = (writer.batches, writer.items) if writer is not None else (0, 0)
    thread.stop()
    ready.put((thread.receiver.count, cpu, batches))


def _serve_baseline(store_dir: str, ready: mp.Queue, stop: mp.Event, defer_min: int | None = None) -> None:
    count = 0
    cpu = 0.0

    async def handle(request: web.Request) -> web.Response:
        nonlocal count
        await request.read()
        count += 1
        return web.Response(status=200, body=b'{"response":"ok","_rxid":"x"}', content_type="application/json")

    async def main() -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0)
        await site.start()
        nonlocal cpu
        cpu = time.process_time()
        ready.put(site._server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.05)
        cpu = time.process_time() - cpu
        await runner.cleanup()

    asyncio.run(main())
    ready.put((count, cpu, (0, 0)))


# ------------------------------------------------------------------------------------------------ load


async def load(port: int, payloads: list, total: int, concurrency: int, limit_s: float) -> tuple[list, int, float]:
    latencies: list[float] = []
    ok = 0
    counter = iter(range(total))
    deadline = time.monotonic() + limit_s
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal ok
            for i in counter:
                if time.monotonic() > deadline:
                    return
                target, headers, body = payloads[i % len(payloads)]
                began = time.perf_counter()
                async with session.post(f"http://{HOST}:{port}{target}", data=body, headers=headers) as resp:
                    await resp.read()
                    ok += 200 <= resp.status < 300
                latencies.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return latencies, ok, elapsed


def run_one(name: str, target, total: int, concurrency: int, limit_s: float, defer_min: int | None = None) -> dict:
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as store_dir:
        proc = ctx.Process(target=target, args=(store_dir, ready, stop, defer_min), daemon=True)
        proc.start()
        port = ready.get(timeout=30)
        payloads = load_payloads()
        latencies, ok, elapsed = asyncio.run(load(port, payloads, total, concurrency, limit_s))
        stop.set()
        served, cpu, (batches, items) = ready.get(timeout=120)
        proc.join(30)
        stored = pending = None
        if target is _serve_receiver:
            from inspector.net.store import CaptureStore

            records = CaptureStore(store_dir).load()
            stored = len(records)
            pending = sum(getattr(r, "pending", False) for r in records)
    latencies.sort()
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    return {
        "name": name, "sent": len(latencies), "ok": ok, "served": served, "stored": stored, "pending": pending,
        "cpu_ms": cpu * 1000 / len(latencies) if latencies else float("nan"),
        "batch": items / batches if batches else None,
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50_ms": statistics.median(latencies) * 1000 if latencies else float("nan"), "p99_ms": p99 * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per server, at most")
    parser.add_argument("--defer-min", type=int, default=None,
                        help="the receiver's defer_min (answer before validating bodies this large; 0 = always)")
    args = parser.parse_args(argv)
    rows = [
        run_one("baseline (bare aiohttp 200)", _serve_baseline, args.requests, args.concurrency, args.time_limit),
        run_one("crash-inspector receiver", _serve_receiver, args.requests, args.concurrency, args.time_limit,
                args.defer_min),
    ]
    base, rx = rows
    print(f"{args.requests} requests, {args.concurrency} concurrent, {len(load_payloads())} payload kinds, loopback")
    print(f"{'server':<30}{'sent':>6}{'2xx':>6}{'stored':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'cpu ms/req':>12}")
    for row in rows:
        stored = "-" if row["stored"] is None else str(row["stored"])
        print(f"{row['name']:<30}{row['sent']:>6}{row['ok']:>6}{stored:>8}{row['rate']:>9.0f}"
              f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['cpu_ms']:>12.2f}")
    loss = rx["ok"] - (rx["stored"] or 0)
    ratio = rx["rate"] / base["rate"] if base["rate"] else 0.0
    batch = f"{rx['batch']:.1f}" if rx["batch"] else "-"
    print(f"receiver/baseline throughput: {ratio:.2f}x   loss (2xx answered but not stored): {loss}   "
          f"still pending: {rx['pending']}   captures per group commit: {batch}")
    return 0 if loss == 0 and not rx["pending"] and rx["ok"] == rx["sent"] == args.requests else 1


if __name__ == "__main__":
    raise SystemExit(main())
