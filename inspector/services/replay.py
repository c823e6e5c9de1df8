"""Replay a folder: send every payload of a folder (or of the receiver's inbox) at a bounded rate.

One engine for the CLI (``crash-inspector send FOLDER``) and the window's Replay dialog. Nothing here imports Qt.

* items: :func:`folder_items` (a folder's payload files, sorted by name) or :func:`inbox_items` (the receiver's
  captures, oldest first);
* rate: at most ``rate`` sends per second (``None``: as fast as answers come); the pace is kept across pauses;
* retries on 429/503: done by :func:`inspector.net.client.send_request` (``plan.options.max_attempts``), inside
  the send function given (:func:`inspector.services.sending.send_path` for the window);
* :class:`ReplayControl`: pause/resume (a :class:`threading.Event`) and cancel (it has the ``cancelled`` flag the
  client polls, so a cancel also stops an upload or a Retry-After wait);
* ``on_item`` gets an :class:`ItemResult` after each item; every item is one JSON line in ``send-results.jsonl``
  next to the payloads (the CLI's line format).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.formats.base import InspectorError
from inspector.net.client import ACCEPTED, HTTP_ERROR, NO_ANSWER
from inspector.net.store import CaptureStore, default_store_dir

RESULTS_NAME = "send-results.jsonl"
#: The keys of a full result (``exchange_json``) kept in a log line.
LINE_KEYS = ("file", "ok", "status", "summary", "id", "elapsed_ms", "attempts")


def folder_items(folder: Path) -> list[Path]:
    """The payload files of ``folder``, sorted by name (hidden files and the result log left out)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".") and p.name != RESULTS_NAME)


def inbox_items(store_dir: Path | None = None) -> list[Path]:
    """The receiver's captures (``.request.http`` files), oldest first; the default inbox when no folder is given."""
    store = CaptureStore(store_dir if store_dir is not None else default_store_dir())
    return [store.raw_path(record.id) for record in store.load() if record.body_stored]


class ReplayControl:
    """Pause, resume and cancel a replay from another thread. ``cancelled`` makes it a client ``Cancel`` too."""

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._cancel = threading.Event()
        self._wake = threading.Condition()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        with self._wake:
            self._running.set()
            self._wake.notify_all()

    def cancel(self) -> None:
        with self._wake:
            self._cancel.set()
            self._wake.notify_all()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait_running(self) -> bool:
        """Block while paused; False when cancelled."""
        with self._wake:
            self._wake.wait_for(lambda: self._running.is_set() or self._cancel.is_set())
        return not self._cancel.is_set()

    def sleep(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless cancelled first; False when cancelled."""
        return not self._cancel.wait(max(0.0, seconds))


@dataclass(slots=True)
class ItemResult:
    """One replayed item: its position, the log line written, the CLI exit code (0/1/2), the full result."""

    index: int
    path: Path
    line: dict[str, Any]
    code: int
    full: dict[str, Any] | None = None

    @property
    def outcome(self) -> str:
        return "accepted" if self.code == ACCEPTED else "http_error" if self.code == HTTP_ERROR else "failed"


@dataclass(slots=True)
class ReplaySummary:
    total: int
    results: list[ItemResult] = field(default_factory=list)
    cancelled: bool = False
    log_path: Path | None = None
    elapsed: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        counts = {"accepted": 0, "http_error": 0, "failed": 0}
        for result in self.results:
            counts[result.outcome] += 1
        return counts

    @property
    def worst(self) -> int:
        return max((r.code for r in self.results), default=ACCEPTED)

    def text(self) -> str:
        c = self.counts
        done = len(self.results)
        head = f"{self.total} payloads" if done == self.total else f"{done} of {self.total} payloads (cancelled)"
        return (
            f"{head}: {c['accepted']} accepted, {c['http_error']} refused with an HTTP error, "
            f"{c['failed']} not sent or unanswered"
        )


SendFn = Callable[[Path], dict[str, Any]]


def log_line(path: Path, send: SendFn) -> tuple[dict[str, Any], int, dict[str, Any] | None]:
    """Send one item; its log line (the CLI's format), exit code and full result. Bad input is a line too."""
    try:
        full = send(path)
        line = {k: full[k] for k in LINE_KEYS}
        line["failure"] = full["failure"]["kind"] if full["failure"] else None
        code = int(full["exit_code"])
    except InspectorError as exc:
        full = None
        line = {"file": str(path), "ok": False, "status": None, "summary": str(exc), "error": "bad input"}
        code = NO_ANSWER  # bad input: nothing was sent
    line["time"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    return line, code, full


def replay(
    items: Sequence[Path],
    send: SendFn,
    *,
    rate: float | None = None,
    log_path: Path | None = None,
    control: ReplayControl | None = None,
    on_start: Callable[[int, Path], None] | None = None,
    on_item: Callable[[ItemResult], None] | None = None,
) -> ReplaySummary:
    """Send ``items`` one after the other with ``send`` (returns an ``exchange_json`` dict or raises
    InspectorError for bad input), at most ``rate`` per second; log each to ``log_path`` (one JSON line)."""
    control = control or ReplayControl()
    summary = ReplaySummary(total=len(items), log_path=log_path)
    begin = time.monotonic()
    next_start = begin
    log = log_path.open("w", encoding="utf-8") if log_path is not None else None
    try:
        for index, path in enumerate(items):
            if not control.wait_running():
                break
            if rate:
                if not control.sleep(next_start - time.monotonic()):
                    break
                if not control.wait_running():  # paused during the rate wait
                    break
                next_start = max(next_start, time.monotonic()) + 1.0 / rate
            if on_start is not None:
                on_start(index, path)
            line, code, full = log_line(path, send)
            if log is not None:
                log.write(json.dumps(line, ensure_ascii=False) + "\n")
                log.flush()
            result = ItemResult(index, path, line, code, full)
            summary.results.append(result)
            if on_item is not None:
                on_item(result)
        summary.cancelled = control.cancelled and len(summary.results) < len(items)
    finally:
        if log is not None:
            log.close()
        summary.elapsed = time.monotonic() - begin
    return summary


__all__ = [
    "RESULTS_NAME",
    "ItemResult",
    "ReplayControl",
    "ReplaySummary",
    "folder_items",
    "inbox_items",
    "log_line",
    "replay",
]
