"""The receiver's disk writer: one thread that stores captures in batches (group commit).

Requests hand their files (the redacted raw request and its record) to :meth:`CaptureWriter.submit` and wait for
the returned future. The thread takes everything queued at that moment (up to ``max_batch`` items), writes it
with :func:`inspector.net.store.write_batch` (temp files, fsync of each, renames, one fsync of the folder) and only
then resolves the futures of the whole batch, so a request is answered only once its capture is durable while
one folder fsync and one wake-up of the event loop serve many requests. The fsyncs of a batch run in parallel
on a few helper threads (they wait on the disk, not on the GIL). Nothing here imports Qt.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from inspector.net.store import write_batch

Files = list[tuple[Path, bytes]]
_STOP = object()


class CaptureWriter:
    """Group-committing writer thread. ``submit(files)`` returns an asyncio future of the caller's loop."""

    def __init__(self, *, max_batch: int = 128, fsync_workers: int = 8, name: str = "receiver-writer") -> None:
        self.max_batch = max_batch
        self.batches = 0  # statistics: batches written and items in them
        self.items = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._fsync_pool = ThreadPoolExecutor(max_workers=max(1, fsync_workers), thread_name_prefix=f"{name}-fsync")
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, files: Files) -> asyncio.Future[None]:
        """Queue ``files`` (written in this order, all in one folder); the future resolves once they are durable
        (or fails with the OSError that stopped the batch)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._queue.put((files, loop, future))
        return future

    def submit_blocking(self, files: Files) -> None:
        """The same from a thread without an event loop: returns when durable."""
        done = threading.Event()
        box: list[BaseException] = []

        def finished(exc: BaseException | None) -> None:
            if exc is not None:
                box.append(exc)
            done.set()

        self._queue.put((files, None, finished))
        done.wait()
        if box:
            raise box[0]

    def close(self) -> None:
        """Write what is queued, then stop the thread (blocks)."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._fsync_pool.shutdown(wait=True)

    # -- the thread --------------------------------------------------------------------------------------

    def _fsync_all(self, fds: list[int]) -> None:
        for _ in self._fsync_pool.map(os.fsync, fds):
            pass

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                break
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._write(batch)

    def _write(self, batch: list[tuple[Files, Any, Any]]) -> None:
        files = [f for item_files, _, _ in batch for f in item_files]
        error: BaseException | None = None
        try:
            write_batch(files, fsync=self._fsync_all)
        except BaseException as exc:  # the whole batch failed: every request in it is answered with the error
            error = exc
        self.batches += 1
        self.items += len(batch)
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for _, loop, target in batch:
            if loop is None:
                target(error)
            else:
                by_loop.setdefault(loop, []).append(target)
        for loop, futures in by_loop.items():
            try:
                loop.call_soon_threadsafe(_resolve, futures, error)
            except RuntimeError:  # that loop is closed: nobody waits any more
                pass


def _resolve(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)



__all__ = ["CaptureWriter"]
