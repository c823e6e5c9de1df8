"""The receiver's second stage: journal entries become inbox files, validated and summarized, off the hot path.

The receiver answers once a capture is in the journal (:mod:`inspector.net.journal`). This stage reads the
committed entries in order, validates the pending ones with the format core (:func:`describe_capture`), writes
the ``.request.http`` and the finished ``.json`` record of each, reports each record, and once a closed segment
is all on disk syncs the file system and deletes the segment.

It runs in a child process (``python -m inspector.net.indexer_main STORE``) so that parsing and validation, which are
most of the CPU a capture costs, use another core and never hold the receiver's GIL; where no child can be
started (a frozen build) the same code runs on a thread. Protocol on the child's stdin, one line each:
``C <segment> <end offset>`` (durable up to there), ``R <segment>`` (no more will be appended), ``Q`` (finish
and exit); on its stdout: ``{"record": {...}}`` per capture and ``{"released": "<segment>"}`` per deleted segment.
If the receiver dies, the child sees stdin close and exits; what was left is replayed by the next load or start.
Nothing here imports Qt.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from inspector.net.journal import fsync_dir, read_entries, sync_filesystem
from inspector.net.store import CaptureRecord, CaptureStore, Describe, record_bytes, write_plain

Emit = Callable[[dict[str, Any]], None]


class IndexWork:
    """The stage itself (the same in the child and on the fallback thread)."""

    def __init__(
        self, store: CaptureStore, describe: Describe | None, emit: Emit, flush: Callable[[], None] | None = None
    ) -> None:
        self.store = store
        self.describe = describe
        self.emit = emit
        #: called when a piece of work is done: what ``emit`` buffered goes out (the child's stdout)
        self.flush = flush or (lambda: None)
        self._fds: dict[str, int] = {}
        self._positions: dict[str, int] = {}
        self.waiting: collections.deque[CaptureRecord] = collections.deque()

    def committed(self, segment: str, end: int | None) -> None:
        """Note the entries up to ``end`` (the receiver wrote their files after the flush; made here if that
        failed); the pending ones wait for :meth:`finish`."""
        fd = self._fds.get(segment)
        if fd is None:
            try:
                fd = os.open(segment, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            except OSError:
                return
            self._fds[segment] = fd
        pos = self._positions.get(segment, 0)
        for nxt, meta, raw in read_entries(fd, pos, end):
            record = self.store.materialize(meta, raw, only_missing=True)
            self._positions[segment] = nxt
            if record.pending:
                self.waiting.append(record)
            else:
                self.emit({"record": record.as_dict()})
        self.flush()

    def finish(self) -> None:
        """Validate the pending captures made so far and rewrite their records (no fsync: a lost rewrite leaves
        the record pending, and the next load finishes it)."""
        while self.waiting:
            record = self.waiting.popleft()
            try:
                raw = self.store.read_raw(record.id)
            except OSError:
                continue
            if self.describe is not None:
                try:
                    self.describe(raw, record)
                except Exception:  # a capture the format core cannot read is still listed
                    pass
            record.pending = False
            write_plain(self.store.meta_path(record.id), record_bytes(record))
            self.emit({"record": record.as_dict()})
        self.flush()

    def rotated(self, segment: str) -> None:
        self.committed(segment, None)
        fd = self._fds.pop(segment, None)
        self._positions.pop(segment, None)
        if fd is not None:
            os.close(fd)
        sync_filesystem(self.store.root)  # every file made from the segment is durable: the segment may go
        with contextlib.suppress(FileNotFoundError):
            os.unlink(segment)
        with contextlib.suppress(OSError):
            fsync_dir(Path(segment).parent)
        self.emit({"released": segment})
        self.flush()

    def handle(self, line: str) -> bool:
        """One protocol line, all work done at once (the thread fallback); False on ``Q``."""
        kind, _, rest = line.strip().partition(" ")
        if kind == "C":
            segment, _, end = rest.rpartition(" ")
            self.committed(segment, int(end))
        elif kind == "R":
            self.rotated(rest)
        elif kind == "Q":
            self.finish()
            return False
        self.finish()
        return True


class Indexer:
    """The receiver's handle on the second stage. ``committed``/``rotated`` may be called from any thread;
    ``on_record`` and ``on_released`` are called on a reader thread."""

    def __init__(
        self,
        store: CaptureStore,
        on_record: Callable[[CaptureRecord], None],
        on_released: Callable[[Path], None],
        *,
        describe: Describe | None = None,
        use_process: bool = True,
    ) -> None:
        self.store = store
        self.describe = describe
        self.on_record = on_record
        self.on_released = on_released
        self.use_process = use_process and not getattr(sys, "frozen", False)
        self.process: subprocess.Popen[bytes] | None = None
        self._commands: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        if self.use_process:
            try:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "inspector.net.indexer_main", str(self.store.root)],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    close_fds=True,
                )
            except OSError:
                self.process = None
        if self.process is not None:
            assert self.process.stdin is not None and self.process.stdout is not None
            self._spawn(self._feed, self.process.stdin)
            self._spawn(self._read, self.process.stdout)
        else:
            work = IndexWork(self.store, self.describe, self._emit)
            self._spawn(self._run_inline, work)

    def _spawn(self, target: Callable[..., None], arg: Any) -> None:
        thread = threading.Thread(target=target, args=(arg,), name="receiver-indexer", daemon=True)
        thread.start()
        self._threads.append(thread)

    def committed(self, segment: Path, end: int) -> None:
        self._commands.put(f"C {segment} {end}\n")

    def rotated(self, segment: Path) -> None:
        self._commands.put(f"R {segment}\n")

    def stop(self, timeout: float) -> bool:
        """Finish what was committed (within ``timeout``); False when it had to be cut short."""
        self._commands.put("Q\n")
        self._commands.put(None)
        finished = True
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                finished = False
        for thread in self._threads:
            thread.join(timeout if finished else 5)
            finished = finished and not thread.is_alive()
        return finished

    # -- threads -----------------------------------------------------------------------------------------

    def _feed(self, pipe: IO[bytes]) -> None:
        try:
            while (command := self._commands.get()) is not None:
                pipe.write(command.encode("utf-8", "surrogateescape"))
                if self._commands.empty():
                    pipe.flush()
            pipe.close()
        except (OSError, ValueError):  # the child died: the next load replays what it left
            pass

    def _read(self, pipe: IO[bytes]) -> None:
        for line in pipe:
            try:
                self._emit(json.loads(line))
            except ValueError:
                continue

    def _run_inline(self, work: IndexWork) -> None:
        while (command := self._commands.get()) is not None:
            try:
                if not work.handle(command):
                    return
            except Exception:  # a segment this stage cannot finish stays for the next load to replay
                continue

    def _emit(self, message: dict[str, Any]) -> None:
        try:
            if "record" in message:
                self.on_record(CaptureRecord.from_dict(message["record"]))
            elif "released" in message:
                self.on_released(Path(message["released"]))
        except Exception:  # a listener's bug must not stop the stage
            pass


#: The child waits for the receiver to be this quiet (seconds without a commit) before working ...
QUIET = 0.25
#: ... but never lets the oldest unprocessed commit wait longer than this.
MAX_LAG = 30.0


def serve(work: IndexWork, fd: int = 0) -> None:
    """The child's loop: take commands from ``fd``; make the files the receiver left to it, validate, delete
    finished segments (a ``syncfs``) once the receiver has been quiet for :data:`QUIET` seconds, or the oldest
    waiting commit for :data:`MAX_LAG`.

    Creating files while the receiver is answering makes each of its journal flushes slower (the file system
    commits their metadata with it), validating takes the cores its answers need, and a ``syncfs`` stalls its
    flushes, so a burst is indexed after it (the receiver's process lists those captures from the journal).
    """
    import select
    import time

    rotated: list[str] = []
    pending: dict[str, int] = {}
    since: float | None = None
    buffer = b""
    while True:
        timeout = None
        if since is not None:
            timeout = max(0.0, min(QUIET, since + MAX_LAG - time.monotonic()))
        ready, _, _ = select.select([fd], [], [], timeout)
        now = time.monotonic()
        if ready:
            data = os.read(fd, 1 << 16)
            if not data:
                return  # the receiver died: the next load replays the journal and finishes what is pending
            buffer += data
            *lines, buffer = buffer.split(b"\n")
            latest: dict[str, int] = {}
            for line in lines:
                kind, _, rest = line.decode("utf-8", "surrogateescape").strip().partition(" ")
                if kind == "C":
                    name, _, offset = rest.rpartition(" ")
                    latest[name] = int(offset)
                elif kind == "R":
                    rotated.append(rest)
                elif kind == "Q":
                    for segment, end in {**pending, **latest}.items():
                        work.committed(segment, end)
                    for segment in rotated:
                        work.rotated(segment)
                    work.finish()
                    return
            for name, last in latest.items():  # coalesced: the latest offset per segment
                pending[name] = max(last, pending.get(name, 0))
            if (pending or rotated) and since is None:
                since = now
            if since is not None and now - since < MAX_LAG:
                continue
        if since is None:
            continue
        for segment, end in pending.items():
            work.committed(segment, end)
        pending.clear()
        work.finish()
        for segment in rotated:
            work.rotated(segment)
        rotated.clear()
        since = None
