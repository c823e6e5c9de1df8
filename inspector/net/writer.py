"""The receiver's disk writer: one thread that appends captures to the journal in batches (group commit).

Requests hand their capture (record JSON + redacted raw request) to :meth:`CaptureWriter.submit` and wait for
the returned future. The thread takes everything queued at that moment (up to ``max_batch`` captures), appends
it to the current journal segment with one write and makes it durable with one ``fdatasync``
(:mod:`inspector.net.journal`), and only then resolves the futures of the whole batch: a request is answered
only once its capture is durable, while one disk flush and one wake-up of the event loop serve many requests.

After each batch ``on_commit(segment, end_offset)`` tells the second stage how far the segment is durable; when
a segment reaches ``segment_bytes`` (or the writer closes) ``on_rotate(segment)`` says no more will be appended.
The writer keeps each segment's lock until :meth:`release` (the second stage has turned it into files and
deleted it), so no other process replays it meanwhile. Nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector.net.journal import encode_entry, new_segment

_STOP = object()
OnCommit = Callable[[Path, int], None]
#: After a flush of a small batch with nothing else queued, before the answers: ``(tag, meta, raw)`` of each
#: capture (the receiver writes its files while the disk is idle). Returns nothing.
OnDurable = Callable[[str, bytes, bytes], None]
#: After any other flush: ``(tag, segment, raw offset, raw length, meta)`` of each capture (files come later).
OnDeferred = Callable[[list[tuple[str, Path, int, int, bytes]]], None]
#: A batch this small, with nothing queued behind it, gets its files before its answers.
INLINE_FILES_MAX = 4
OnRotate = Callable[[Path], None]


class CaptureWriter:
    """Group-committing journal writer. ``submit(meta, raw)`` returns an asyncio future of the caller's loop
    that resolves once the capture is durable (or fails with the OSError that stopped its batch).

    ``lanes`` threads, each appending to its own segment, take batches in turn: while one waits for its
    ``fdatasync`` the next batch is already being written, so the disk's flush latency is overlapped instead of
    paid once per batch in a row (the file system merges concurrent flushes into one journal commit).
    """

    def __init__(
        self,
        root: Path,
        *,
        max_batch: int = 512,
        segment_bytes: int = 64 * 1024 * 1024,
        on_commit: OnCommit | None = None,
        on_rotate: OnRotate | None = None,
        on_durable: OnDurable | None = None,
        on_deferred: OnDeferred | None = None,
        lanes: int = 3,
        name: str = "receiver-writer",
    ) -> None:
        self.root = Path(root)
        self.max_batch = max_batch
        self.segment_bytes = segment_bytes
        self.on_commit = on_commit
        self.on_rotate = on_rotate
        self.on_durable = on_durable
        self.on_deferred = on_deferred
        self.batches = 0  # statistics: batches written and captures in them
        self.items = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()  # lists of captures, or _STOP
        #: captures submitted during the current turn of each loop, handed over at its end (loop thread only)
        self._gathered: dict[asyncio.AbstractEventLoop, list[tuple[Any, ...]]] = {}
        self._held: dict[Path, int] = {}  # segments written, lock kept until released
        self._lock = threading.Lock()
        self._take = threading.Lock()  # one lane at a time gathers its batch from the queue
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._run, args=(_Lane(),), name=f"{name}-{i}", daemon=True)
            for i in range(max(1, lanes))
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, meta: bytes, raw: bytes, tag: str = "") -> asyncio.Future[None]:
        """Queue a capture; the returned future resolves once it is durable.

        The captures submitted during one turn of the event loop are handed to the writer threads together, at
        the end of that turn: one queue operation (one wake-up of a writer thread, one switch of the GIL) for
        all of them instead of one each.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        gathered = self._gathered.get(loop)
        if gathered is None:
            self._gathered[loop] = gathered = []
            loop.call_soon(self._hand_over, loop)
        gathered.append((encode_entry(meta, raw), loop, future, tag, len(meta), len(raw)))
        return future

    def _hand_over(self, loop: asyncio.AbstractEventLoop) -> None:
        gathered = self._gathered.pop(loop, None)
        if gathered:
            self._queue.put(gathered)

    def submit_blocking(self, meta: bytes, raw: bytes) -> None:
        """The same from a thread without an event loop: returns when durable."""
        done = threading.Event()
        box: list[BaseException] = []

        def finished(exc: BaseException | None) -> None:
            if exc is not None:
                box.append(exc)
            done.set()

        self._queue.put([(encode_entry(meta, raw), None, finished, "", len(meta), len(raw))])
        done.wait()
        if box:
            raise box[0]

    def release(self, segment: Path) -> None:
        """The second stage is done with ``segment`` (deleted): drop its lock."""
        with self._lock:
            fd = self._held.pop(segment, -1)
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)

    def close(self) -> None:
        """Write what is queued, close the current segments (``on_rotate``), stop the threads (blocks)."""
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join()

    def release_all(self) -> None:
        """Drop every lock still held (the second stage stopped early: the next load replays those segments)."""
        with self._lock:
            fds = list(self._held.values())
            self._held.clear()
        for fd in fds:
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- the thread --------------------------------------------------------------------------------------

    def _run(self, lane: _Lane) -> None:
        while True:
            with self._take:
                item = self._queue.get()
                if item is _STOP:
                    break
                batch = list(item)  # the captures of one turn of a loop (or one blocking submit)
                stop = False
                while len(batch) < self.max_batch:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is _STOP:
                        stop = True
                        break
                    batch.extend(item)
            self._write(lane, batch)
            if stop:
                break
        self._rotate(lane)

    def _rotate(self, lane: _Lane) -> None:
        if lane.segment is None:
            return
        segment = lane.segment
        lane.segment, lane.fd, lane.offset = None, -1, 0
        if self.on_rotate is not None:
            self.on_rotate(segment)

    def _files(self, segment: Path, start: int, batch: list[tuple[Any, ...]]) -> None:
        """Write the captures' files now (idle disk: answered means listed) or leave them to the second stage
        (under load: creating files makes every journal flush slower; they are listed from the journal meanwhile).
        """
        inline = self.on_durable is not None and len(batch) <= INLINE_FILES_MAX and self._queue.empty()
        deferred = []
        pos = start
        for entry, _, _, tag, meta_len, raw_len in batch:
            head = len(entry) - meta_len - raw_len
            meta = bytes(memoryview(entry)[head : head + meta_len])
            done = False
            if inline:
                try:
                    self.on_durable(tag, meta, memoryview(entry)[head + meta_len :])  # type: ignore[misc, arg-type]
                    done = True
                except OSError:  # durable in the journal all the same: the second stage makes them
                    pass
            if not done:
                deferred.append((tag, segment, pos + head + meta_len, raw_len, meta))
            pos += len(entry)
        if deferred and self.on_deferred is not None:
            self.on_deferred(deferred)

    def _write(self, lane: _Lane, batch: list[tuple[Any, ...]]) -> None:
        error: BaseException | None = None
        start = lane.offset
        try:
            if lane.segment is None:
                segment, fd = new_segment(self.root)
                with self._lock:
                    self._held[segment] = fd
                lane.segment, lane.fd, lane.offset = segment, fd, 0
            data = memoryview(b"".join(item[0] for item in batch))
            while data:
                written = os.write(lane.fd, data)
                data = data[written:]
            (getattr(os, "fdatasync", None) or os.fsync)(lane.fd)
            lane.offset += sum(len(item[0]) for item in batch)
        except BaseException as exc:  # the whole batch failed: every request in it is answered with the error
            error = exc
        with self._lock:
            self.batches += 1
            self.items += len(batch)
        if error is None and lane.segment is not None:
            self._files(lane.segment, start, batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for _, loop, target, *_ in batch:
            if loop is None:
                target(error)
            else:
                by_loop.setdefault(loop, []).append(target)
        for loop, futures in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, futures, error)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass
        if error is None and lane.segment is not None:
            if self.on_commit is not None:
                self.on_commit(lane.segment, lane.offset)
            if lane.offset >= self.segment_bytes:
                self._rotate(lane)
        elif error is not None and lane.segment is not None:
            self._rotate(lane)  # a failed append may have left a torn entry: later ones go to a new segment


class _Lane:
    """One writer thread's current segment."""

    def __init__(self) -> None:
        self.segment: Path | None = None
        self.fd = -1
        self.offset = 0


def _resolve(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)


__all__ = ["CaptureWriter"]
