"""``crash-inspector receive``: run the local receiver headless and print one line per captured request.

The first line is ``listening on http://HOST:PORT`` (flushed, so scripts that start us with ``--port 0`` can read
the port). Ctrl+C and SIGTERM stop the server gracefully: requests in flight are answered and stored first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys

from inspector.cli.errors import EXIT_BAD_INPUT, EXIT_OK, err
from inspector.net.receiver import Receiver, ReceiverConfig, describe_capture, exposure_warning
from inspector.net.store import CaptureRecord, CaptureStore


def format_line(record: CaptureRecord) -> str:
    """``20:01:02 200 rollbar trace 1.5 KB 127.0.0.1:5555 POST /api/1/item/  KeyError: 'x'  [2 errors]``."""
    size = f"{record.size} B" if record.size < 10_240 else f"{record.size / 1024:.0f} KB"
    what = " ".join(x for x in (record.api, record.kind or "-") if x)
    issues = []
    if record.errors:
        issues.append(f"{record.errors} error{'s' if record.errors != 1 else ''}")
    if record.warnings:
        issues.append(f"{record.warnings} warning{'s' if record.warnings != 1 else ''}")
    tail = f"  [{', '.join(issues)}]" if issues else ""
    note = f"  ({record.note})" if record.note and record.status >= 400 else ""
    text = f"  {record.exception}" if record.exception else ""
    path = record.path
    head = f"{record.time_text[11:]} {record.status} {what} {size} {record.client} {record.method} {path}"
    return f"{head}{text}{tail}{note}"


def endpoint_lines(url: str) -> list[str]:
    """The endpoints the receiver emulates, with the setting each SDK needs (printed at start)."""
    base = url.rstrip("/")
    return [
        "emulated endpoints:",
        f"  Backtrace   POST {base}/post?format=json&token=T   (also /api/post, /{{universe}}/{{token}}/json;"
        " format=minidump)",
        f"  Rollbar     POST {base}/api/1/item/   (SDK endpoint: {base}/api/1/)",
        f"  App Center  POST {base}/logs?api-version=1.0.0   (SDK log URL: {base})",
    ]


def _emit(record: CaptureRecord, as_json: bool) -> None:
    if as_json:
        data = record.as_dict()
        data["target"] = record.path  # the query can carry a token: print the path only
        print(json.dumps(data, ensure_ascii=False), flush=True)
    else:
        print(format_line(record), flush=True)


async def serve(config: ReceiverConfig, store: CaptureStore, as_json: bool) -> None:
    receiver = Receiver(store, config, on_capture=lambda record: _emit(record, as_json))
    await receiver.start()
    warning = exposure_warning(config.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    print(f"listening on {receiver.url}", flush=True)
    for line in endpoint_lines(str(receiver.url)):
        print(line, file=sys.stderr, flush=True)
    print(f"storing requests in {store.root}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # Windows: Ctrl+C arrives as KeyboardInterrupt instead
            pass
    try:
        await stop.wait()
    finally:
        await receiver.stop()
        plural = "s" if receiver.count != 1 else ""
        print(f"stopped after {receiver.count} request{plural}", file=sys.stderr, flush=True)


def run_receive(args: argparse.Namespace) -> int:
    config = ReceiverConfig(host=args.host, port=args.port, strict=args.strict, max_body=args.max_body)
    try:
        store = CaptureStore(args.store, describe=describe_capture)
    except OSError as exc:
        err(f"cannot use the store folder: {exc}")
        return EXIT_BAD_INPUT
    try:
        asyncio.run(serve(config, store, bool(args.json)))
    except OSError as exc:
        err(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        pass
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return EXIT_OK
