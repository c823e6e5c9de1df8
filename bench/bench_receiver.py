"""Load the local receiver with wrk on loopback and compare it with a bare asyncio server in the same run.

    .venv/bin/python bench/bench_receiver.py [--duration 10] [--connections 32] [--threads 2]

Needs ``wrk`` (``apt-get install wrk``). Each server runs in its own process; wrk posts *distinct* Rollbar items
(the corpus' pyrollbar trace with a new ``data.uuid`` per request, token in the header and in the body) for
``--duration`` seconds with ``--connections`` connections, first to the baseline, then to aiohttp alone, then to
the receiver.

The baseline is an ``asyncio.Protocol`` that reads the head and the Content-Length body and answers a fixed 200:
the cheapest HTTP server Python can be. A second reference row is aiohttp's low-level server (the receiver's HTTP
layer) reading the body and answering 200: what the framework alone costs. The receiver does what it always does:
reads the body within its limits, redacts the secrets (decoded body), answers like Rollbar, and appends the
redacted request to its journal, answering only after the ``fdatasync`` covering it (group commit); its second
stage (a child process: inbox files, validation) catches up after the run, within the graceful stop.

Reported per server: payloads/s (every request a distinct item), p50/p99 latency (wrk), CPU per request, cores
used by the server and by wrk (CPU / wall), and the machine's load average (as ``uptime`` prints it) before and
after its load; for the receiver also its second-stage child's CPU and the group commits (captures per
``fdatasync``); then the ratio to the baseline, loss (2xx answered minus captures found in the store after the
stop: must be 0), captures still pending, and whether any file of the inbox holds the token (must be no).
``--requests N`` (older callers) maps to a duration. Bounded: each load lasts ``--duration`` seconds.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
MARKER = "57ef396c-b51f-4665-9d72-a3b816c62ddf"

LUA = r"""
local f = assert(io.open(os.getenv("RX_BODY"), "rb"))
local template = f:read("*a")
f:close()
local s, e = string.find(template, "%MARKER%", 1, true)
local prefix, suffix = string.sub(template, 1, s - 1), string.sub(template, e + 1)
local threads = {}
counter, ok, bad, tid = 0, 0, 0, 0
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
local headers = {["Content-Type"] = "application/json", ["X-Rollbar-Access-Token"] = "%TOKEN%"}
function request()
  counter = counter + 1
  local id = string.format("%08x-0000-4000-8000-%012x", tid, counter)
  return wrk.format("POST", "/api/1/item/", headers, prefix .. id .. suffix)
end
function response(status, hdrs, body)
  if status >= 200 and status < 300 then ok = ok + 1 else bad = bad + 1 end
end
function done(summary, latency, requests)
  local tok, tbad = 0, 0
  for _, t in ipairs(threads) do tok = tok + t:get("ok"); tbad = tbad + t:get("bad") end
  io.write(string.format("RESULT ok=%d bad=%d requests=%d errors=%d p50_ms=%.2f p99_ms=%.2f\n", tok, tbad,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def payload() -> bytes:
    raw = (ROOT / "tests" / "corpus" / "rollbar" / "pyrollbar-1.5.0_trace.request.http").read_bytes()
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert MARKER.encode() in body and TOKEN.encode() in body
    return body


# ------------------------------------------------------------------------------------------------ servers


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _serve_receiver(store_dir: str, ready: mp.Queue, stop: mp.Event) -> None:
    from inspector.net.receiver import ReceiverConfig, ReceiverThread
    from inspector.net.store import CaptureStore

    thread = ReceiverThread(CaptureStore(store_dir), ReceiverConfig(host=HOST, port=0, shutdown_timeout=300))
    port = thread.start()
    began = _cpu()
    ready.put(port)
    stop.wait()
    loaded = _cpu()
    thread.stop(600)
    done = _cpu()
    ready.put(
        {
            "count": thread.receiver.count,
            "cpu": loaded[0] - began[0],
            "cpu_after": done[0] - loaded[0],
            "child_cpu": done[1] - began[1],
            "batches": thread.receiver.journal_batches,
            "batched": thread.receiver.journal_items,
        }
    )


def _serve_baseline(store_dir: str, ready: mp.Queue, stop: mp.Event) -> None:
    import asyncio

    answer = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 36\r\n\r\n"
        b'{"err":0,"result":{"id":null,"x":1}}'
    )
    count = 0

    class Bare(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            nonlocal count
            self.buf += data
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                match = re.search(rb"(?i)content-length:\s*(\d+)", self.buf[:end])
                need = end + 4 + (int(match.group(1)) if match else 0)
                if len(self.buf) < need:
                    return
                self.buf = self.buf[need:]
                count += 1
                self.transport.write(answer)  # type: ignore[attr-defined]

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(Bare, HOST, 0, backlog=1024)
        began = _cpu()
        ready.put(server.sockets[0].getsockname()[1])
        while not stop.is_set():
            await asyncio.sleep(0.05)
        stats = {"count": count, "cpu": _cpu()[0] - began[0], "cpu_after": 0.0, "child_cpu": 0.0, "batches": 0}
        ready.put({**stats, "batched": 0})
        server.close()

    asyncio.run(main())


def _serve_aiohttp(store_dir: str, ready: mp.Queue, stop: mp.Event) -> None:
    """aiohttp's low-level server (the receiver's HTTP layer) reading each body and answering a fixed 200: what
    the framework alone costs, so the receiver's own work (redaction, answer, journal) is the rest."""
    import asyncio

    from aiohttp import web

    count = 0
    answer = b'{"err":0,"result":{"id":null,"x":1}}'

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        nonlocal count
        await request.read()
        count += 1
        return web.Response(body=answer, content_type="application/json")

    async def main() -> None:
        runner = web.ServerRunner(web.Server(handle, access_log=None), handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, HOST, 0, backlog=1024)
        await site.start()
        began = _cpu()
        ready.put(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        while not stop.is_set():
            await asyncio.sleep(0.05)
        stats = {"count": count, "cpu": _cpu()[0] - began[0], "cpu_after": 0.0, "child_cpu": 0.0, "batches": 0}
        ready.put({**stats, "batched": 0})
        await runner.cleanup()

    asyncio.run(main())


# ------------------------------------------------------------------------------------------------ load


def run_one(name: str, target, args: argparse.Namespace, lua: Path, body: Path) -> dict:
    ctx = mp.get_context("spawn")
    ready, stop = ctx.Queue(), ctx.Event()
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as store_dir:
        proc = ctx.Process(target=target, args=(store_dir, ready, stop), daemon=True)
        proc.start()
        port = ready.get(timeout=60)
        env = dict(os.environ, RX_BODY=str(body))
        load_before = _uptime()
        wrk_began = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        out = subprocess.run(
            [
                "wrk",
                f"-t{args.threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--latency",
                "-s",
                str(lua),
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=args.duration + 120,
        ).stdout
        wall = time.perf_counter() - began
        wrk_done = resource.getrusage(resource.RUSAGE_CHILDREN)
        wrk_cpu = (wrk_done.ru_utime + wrk_done.ru_stime) - (wrk_began.ru_utime + wrk_began.ru_stime)
        load_after = _uptime()
        stop.set()
        stats = ready.get(timeout=900)
        proc.join(60)
        rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
        result = re.search(
            r"RESULT ok=(\d+) bad=(\d+) requests=(\d+) errors=(\d+) p50_ms=([\d.]+) "
            r"p99_ms=([\d.]+)",
            out,
        )
        if not rate or not result:
            raise SystemExit(f"wrk printed no result for {name}:\n{out}")
        row = {
            "name": name,
            "rate": float(rate.group(1)),
            "ok": int(result.group(1)),
            "bad": int(result.group(2)),
            "sent": int(result.group(3)),
            "errors": int(result.group(4)),
            "p50": float(result.group(5)),
            "p99": float(result.group(6)),
            "wall": wall,
            "wrk_cpu": wrk_cpu,
            "load": (load_before, load_after),
            **stats,
            "stored": None,
            "pending": None,
            "leak": None,
        }
        if target is _serve_receiver:
            from inspector.net.store import CaptureStore

            records = CaptureStore(store_dir).load()
            row["stored"] = len(records)
            row["pending"] = sum(r.pending for r in records)
            row["leak"] = _token_on_disk(Path(store_dir))
    return row


def _uptime() -> str:
    """The machine's load as ``uptime`` prints it (1, 5, 15 minutes), recorded with each figure."""
    try:
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "load average: ?"


def _token_on_disk(folder: Path) -> bool:
    needle = TOKEN.encode()
    return any(path.is_file() and needle in path.read_bytes() for path in folder.rglob("*"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--requests", type=int, default=None, help="older callers: mapped to a duration")
    args = parser.parse_args(argv)
    if args.requests is not None:
        args.duration = max(3, min(10, args.requests // 300))
    if shutil.which("wrk") is None:
        print("bench_receiver: wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        lua, body = Path(tmp) / "rollbar.lua", Path(tmp) / "body.json"
        lua.write_text(LUA.replace("%MARKER%", MARKER).replace("%TOKEN%", TOKEN))
        body.write_bytes(payload())
        rows = [
            run_one("baseline (bare asyncio 200)", _serve_baseline, args, lua, body),
            run_one("aiohttp alone (read, 200)", _serve_aiohttp, args, lua, body),
            run_one("crash-inspector receiver", _serve_receiver, args, lua, body),
        ]
    base, bare_aiohttp, rx = rows
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"wrk {args.threads} threads / {args.connections} connections, {args.duration} s each, distinct Rollbar "
        f"items ({len(payload())} B), loopback; machine: {cores} cores shared by wrk, the server and whatever "
        f"else runs (see the load average of each row)"
    )
    # The last four columns of a server's line stay payloads/s, p50, p99, cpu ms/req: bench/run.py reads them.
    print(
        f"{'server':<30}{'sent':>9}{'2xx':>9}{'stored':>9}{'payloads/s':>11}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'cpu ms/req':>11}"
    )
    for row in rows:
        stored = "-" if row["stored"] is None else str(row["stored"])
        cpu_ms = row["cpu"] * 1000 / row["sent"] if row["sent"] else float("nan")
        used = row["cpu"] / row["wall"] if row["wall"] else 0.0
        wrk_used = row["wrk_cpu"] / row["wall"] if row["wall"] else 0.0
        print(
            f"{row['name']:<30}{row['sent']:>9}{row['ok']:>9}{stored:>9}{row['rate']:>11.0f}"
            f"{row['p50']:>8.1f}{row['p99']:>8.1f}{cpu_ms:>11.2f}"
        )
        print(
            f"{'':<4}cores used: server {used:.2f}, wrk {wrk_used:.2f}; {row['load'][0]} before, {row['load'][1]} after"
        )
    print(
        f"  receiver: server process {rx['cpu']:.1f} s CPU during the load ({rx['cpu'] / rx['wall']:.2f} cores: "
        f"event loop + journal writer threads); second stage (child, nice 10) {rx['child_cpu']:.1f} s CPU in all, "
        f"the server {rx['cpu_after']:.1f} s more while it caught up after the load; "
        f"{rx['batches']} group commits for {rx['batched']} captures "
        f"({rx['batched'] / max(1, rx['batches']):.1f} per fdatasync)"
    )
    loss = rx["ok"] - (rx["stored"] or 0)
    ratio = rx["rate"] / base["rate"] if base["rate"] else 0.0
    framework = rx["rate"] / bare_aiohttp["rate"] if bare_aiohttp["rate"] else 0.0
    print(
        f"receiver/baseline throughput: {ratio:.3f}x (receiver/aiohttp alone: {framework:.2f}x)   "
        f"loss (2xx answered but not stored): {max(0, loss)}   "
        f"still pending: {rx['pending']}   token on disk: {'YES' if rx['leak'] else 'no'}"
    )
    return 0 if loss <= 0 and not rx["pending"] and not rx["leak"] and rx["bad"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
