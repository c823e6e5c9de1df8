"""The receiver's durable inbox: every captured request as a ``.request.http`` file plus a small JSON record.

Layout of the store folder (default ``<user data dir>/crash-inspector/inbox``)::

    20261122T200102.123456Z-3f9a1c.request.http   # the request as received (head + body, gzip kept), secrets
                                                  # replaced by same-length placeholders (capture_secrets)
    20261122T200102.123456Z-3f9a1c.json           # CaptureRecord (written second: it marks the capture complete)

Both files are written atomically (temp file in the same folder, fsync, rename, fsync of the folder), so a
kill at any moment leaves either a whole capture, a raw file without its record (recovered on load), or a stray
``.tmp`` file that is ignored and cleaned up. Names sort by arrival time. Nothing here imports Qt.

The receiver does not write these files before answering under load: it appends each capture to its journal
(:mod:`inspector.net.journal`, group commit: one ``fdatasync`` per batch) and answers once that is durable; the
files come right after (idle disk) or from its second stage after a burst (:mod:`inspector.net.indexer`).
Meanwhile the receiver's process lists those captures and reads them from the journal (:func:`journal_note`);
any load replays the journal segments a killed receiver left. A record may be stored with ``pending=True``: the
request is kept and was answered, but its validation summary (exception, problems, counts) is still being
computed; the second stage rewrites the record when it is done. Pending records left by a process that died are
finished on the next load (when the store has a ``describe``) or by the next receiver start
(:meth:`CaptureStore.finish_pending`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector import settings
from inspector.atomic import fsync_dir, write_bytes
from inspector.atomic import write_batch as atomic_write_batch

_ids = __import__("random").Random()

RAW_SUFFIX = ".request.http"
META_SUFFIX = ".json"
TMP_SUFFIX = ".tmp"


# Captures a receiver of this process has made durable in its journal but not yet turned into files
# (under load the second stage does that after the burst): root → id → (segment, raw offset, raw length, record JSON).
# Every CaptureStore of the same folder lists them and reads their raw request from the journal meanwhile.
_IN_JOURNAL: dict[Path, dict[str, tuple[Path, int, int, bytes]]] = {}
_IN_JOURNAL_LOCK = threading.Lock()


def journal_note(root: Path, entries: list[tuple[str, Path, int, int, bytes]]) -> None:
    """Captures now durable in a journal segment: ``(id, segment, raw offset, raw length, record JSON)``."""
    with _IN_JOURNAL_LOCK:
        known = _IN_JOURNAL.setdefault(Path(root).resolve(), {})
        for capture_id, segment, offset, length, meta in entries:
            known[capture_id] = (segment, offset, length, meta)


def journal_forget(root: Path, capture_ids: str | list[str] | None = None) -> None:
    """Captures (one id or a list) now have their files (or, without ids: the receiver stopped)."""
    key = Path(root).resolve()
    with _IN_JOURNAL_LOCK:
        if capture_ids is None:
            _IN_JOURNAL.pop(key, None)
            return
        known = _IN_JOURNAL.get(key, {})
        for capture_id in [capture_ids] if isinstance(capture_ids, str) else capture_ids:
            known.pop(capture_id, None)


def _in_journal(root: Path) -> dict[str, tuple[Path, int, int, bytes]]:
    with _IN_JOURNAL_LOCK:
        return dict(_IN_JOURNAL.get(root.resolve(), {}))


def default_store_dir() -> Path:
    """``inbox`` in the data home (:func:`inspector.settings.inbox_dir`; XDG_DATA_HOME on Linux)."""
    return settings.inbox_dir()


@dataclass(slots=True)
class CaptureRecord:
    """What the inbox shows for one captured request.

    ``api`` is the endpoint family the request was addressed to (``backtrace``, ``rollbar``, ``appcenter`` or
    ``unknown``); ``format``/``kind`` what the format core detected in it (``None`` when it could not be read);
    ``size`` the body bytes as received (still gzip-compressed when it was); ``status`` the HTTP status answered.
    """

    id: str
    time: float
    api: str
    method: str
    target: str
    client: str = ""
    size: int = 0
    status: int = 0
    format: str | None = None
    kind: str | None = None
    exception: str = ""
    errors: int = 0
    warnings: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)
    note: str = ""  # why the status was chosen ("unknown path", "missing token", the load error...)
    body_stored: bool = True  # False for 413 answers: the body was refused unread
    recovered: bool = False  # True when the record was rebuilt from a raw file whose record was lost
    #: The secrets replaced by placeholders before storing: [{"name": "App-Secret header", "last4": "e7c1"}]
    #: (``last4`` is empty for secrets shorter than 12 characters). The values themselves are never stored.
    redacted: list[dict[str, str]] = field(default_factory=list)
    body_recompressed: bool = False  # a gzip body held a secret: redacted and gzip-compressed again
    #: Stored and answered, validation not finished yet (exception/problems/errors/warnings still to come).
    pending: bool = False
    #: What was not stored because it could not be decoded to take secrets out (one sentence each).
    removed: list[str] = field(default_factory=list)
    #: Symbol / source-map uploads: the ``tag`` fields sent, and the stored archive (a file name in the inbox).
    tags: list[str] = field(default_factory=list)
    archive: str = ""
    archive_size: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict (a copy: its lists and their dicts are new objects too).

        Written out by hand: :func:`dataclasses.asdict` costs more than the rest of storing a small capture.
        """
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["problems"] = [dict(p) for p in self.problems]
        data["redacted"] = [dict(e) for e in self.redacted]
        data["removed"] = list(self.removed)
        data["tags"] = list(self.tags)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaptureRecord:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def time_text(self) -> str:
        return datetime.fromtimestamp(self.time, UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


_FIELD_NAMES = tuple(f.name for f in fields(CaptureRecord))


def _fsync_dir(path: Path) -> None:
    fsync_dir(path)  # the one atomic-write module's


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Write ``data`` to ``path`` so that readers see the old file, or the whole new one, never a part (0600).

    ``sync_dir=False`` leaves the folder's fsync (which makes the rename itself durable) to the caller, who
    can then cover several renames with one. (:func:`inspector.atomic.write_bytes`, the app's one atomic write.)
    """
    write_bytes(path, data, mode=0o600, sync_dir=sync_dir)


def write_plain(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temp file and a rename, without fsync: readers never see a part,
    durability comes from elsewhere (the receiver's journal, made durable before, synced before it is deleted)."""
    write_bytes(path, data, mode=0o600, fsync=False)


def write_batch(files: list[tuple[Path, bytes]], *, fsync: Callable[[list[int]], None] | None = None) -> None:
    """The receiver's group commit: several files (0600) made durable with one folder fsync
    (:func:`inspector.atomic.write_batch`, the one atomic write's batch form)."""
    atomic_write_batch(files, mode=0o600, fsync=fsync)


def record_bytes(record: CaptureRecord) -> bytes:
    return json.dumps(record.as_dict(), ensure_ascii=False).encode("utf-8")


Describe = Callable[[bytes, "CaptureRecord"], None]


class CaptureStore:
    """A folder of captures. Thread-safe: the receiver writes from its loop's executor, the UI reads.

    ``describe(raw, record)``, when given, fills in a recovered record (API, kind, exception...) from its raw
    request; :func:`inspector.net.receiver.describe_capture` does that with the format core.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, describe: Describe | None = None) -> None:
        self.root = Path(root) if root is not None else default_store_dir()
        self.describe = describe
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._last_stamp = ""
        self._seq = 0
        self._second = -1
        self._second_text = ""
        self._live: set[str] = set()  # pending records this process is still validating (not to be redone)

    # -- ids ---------------------------------------------------------------------------------------------

    def new_id(self, when: float | None = None) -> str:
        """A time-sortable, unique id: ``YYYYmmddTHHMMSS.ffffffZ-<seq><random>``."""
        when = time.time() if when is None else when
        seconds = int(when)
        with self._lock:
            if seconds != self._second:  # formatting a date costs more than the rest of the id: once a second
                self._second = seconds
                self._second_text = time.strftime("%Y%m%dT%H%M%S", time.gmtime(seconds))
            stamp = f"{self._second_text}.{int((when - seconds) * 1_000_000):06d}Z"
            self._seq = self._seq + 1 if stamp == self._last_stamp else 0
            self._last_stamp = stamp
            seq = self._seq
        return f"{stamp}-{seq:03d}{_ids.getrandbits(24):06x}"  # unique, not secret: no syscall per id

    def raw_path(self, capture_id: str) -> Path:
        return self.root / f"{capture_id}{RAW_SUFFIX}"

    def meta_path(self, capture_id: str) -> Path:
        return self.root / f"{capture_id}{META_SUFFIX}"

    # -- writing -----------------------------------------------------------------------------------------

    def save(self, raw: bytes, record: CaptureRecord) -> CaptureRecord:
        """Store the raw request, then its record (the record's presence marks the capture complete)."""
        write_atomic(self.raw_path(record.id), raw, sync_dir=False)
        write_atomic(self.meta_path(record.id), record_bytes(record), sync_dir=False)
        _fsync_dir(self.root)  # one folder fsync makes both renames durable before the request is answered
        return record

    def materialize(
        self, meta: bytes, raw: bytes, *, describe: Describe | None = None, only_missing: bool = False
    ) -> CaptureRecord:
        """Turn a journal entry (record JSON + raw request) into the capture's two files (no fsync: the journal
        keeps the entry until the files are synced). A pending record is finished with ``describe`` first.
        ``only_missing`` (replaying after a kill) keeps the files a capture already has."""
        record = CaptureRecord.from_dict(json.loads(meta))
        raw_path, meta_path = self.raw_path(record.id), self.meta_path(record.id)
        if only_missing and meta_path.exists():
            if not raw_path.exists():
                write_plain(raw_path, raw)
            return self._read_record(record.id) or record
        if record.pending and describe is not None:
            try:
                describe(raw, record)
            except Exception:  # a capture the format core cannot read is still listed
                pass
            record.pending = False
        write_plain(raw_path, raw)
        write_plain(meta_path, record_bytes(record))
        return record

    def write_files(self, capture_id: str, meta: bytes, raw: bytes) -> None:
        """The capture's raw request, then its record (plain writes: the journal made them durable first)."""
        write_plain(self.raw_path(capture_id), raw)
        write_plain(self.meta_path(capture_id), meta)

    def replay_journal(self) -> int:
        """Materialize the journal segments a killed receiver left (see :mod:`inspector.net.journal`)."""
        from inspector.net.journal import replay

        def materialize(meta: bytes, raw: bytes) -> None:
            self.materialize(meta, raw, only_missing=True)

        return replay(self.root, materialize)

    def mark_live(self, capture_id: str, live: bool = True) -> None:
        """A pending record that this process is validating now (load leaves it pending) or no longer is."""
        with self._lock:
            if live:
                self._live.add(capture_id)
            else:
                self._live.discard(capture_id)

    def is_live(self, capture_id: str) -> bool:
        with self._lock:
            return capture_id in self._live

    def finish_pending(self, describe: Describe | None = None, *, older_than: float | None = None) -> int:
        """Finish the pending records a previous process left (killed between answering and validating).

        Returns how many were finished. Records this process is still validating are left alone, and so are
        those received at ``older_than`` or later (a starting receiver's own captures: its second stage does them).
        """
        describe = describe or self.describe
        if describe is None:
            return 0
        done = 0
        for record in self._scan(finish=False):
            if not record.pending or (older_than is not None and record.time >= older_than):
                continue
            if self._finish(record, describe) is not None:
                done += 1
        return done

    def _finish(self, record: CaptureRecord, describe: Describe) -> CaptureRecord | None:
        """The pending ``record`` finished and rewritten; None when another thread has it or it was finished."""
        with self._lock:
            if record.id in self._live:
                return None
            self._live.add(record.id)  # claimed: a concurrent load does not redo it
        try:
            current = self._read_record(record.id)  # finished meanwhile by the process that answered it?
            if current is None or not current.pending:
                return None
            record = current
            try:
                raw = self.read_raw(record.id)
            except OSError:
                return None
            try:
                describe(raw, record)
            except Exception:  # a capture the format core cannot read is still listed
                pass
            record.pending = False
            with contextlib.suppress(OSError):
                write_atomic(self.meta_path(record.id), record_bytes(record))
            return record
        finally:
            self.mark_live(record.id, False)

    def delete(self, capture_id: str) -> None:
        """Remove the capture's files: record first, raw request, and an uploaded archive if it has one."""
        record = self._read_record(capture_id)
        paths = [self.meta_path(capture_id), self.raw_path(capture_id)]
        if record is not None and record.archive and "/" not in record.archive and "\\" not in record.archive:
            paths.append(self.root / record.archive)
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def clear(self) -> int:
        records = self.load()
        for record in records:
            self.delete(record.id)
        return len(records)

    # -- reading -----------------------------------------------------------------------------------------

    def read_raw(self, capture_id: str) -> bytes:
        try:
            return self.raw_path(capture_id).read_bytes()
        except FileNotFoundError:
            entry = _in_journal(self.root).get(capture_id)
            if entry is None:
                raise
        segment, offset, length, _ = entry
        try:
            fd = os.open(segment, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:  # turned into files meanwhile
            return self.raw_path(capture_id).read_bytes()
        try:
            return os.pread(fd, length, offset)
        finally:
            os.close(fd)

    def load(self) -> list[CaptureRecord]:
        """Every complete capture, oldest first. Raw files whose record is missing are recovered, damaged
        records are rebuilt from their raw file, leftover temp files older than a minute are removed. Pending
        records left by a process that died are finished when the store has a ``describe``; those this process
        is still validating are listed as pending."""
        return self._scan(finish=True)

    def _scan(self, *, finish: bool) -> list[CaptureRecord]:
        records: list[CaptureRecord] = []
        with contextlib.suppress(OSError):
            self.replay_journal()
        now = time.time()
        try:
            names = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return []
        metas = {n[: -len(META_SUFFIX)] for n in names if n.endswith(META_SUFFIX)}
        for name in names:
            path = self.root / name
            if name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > 60:
                        path.unlink()
                continue
            if not name.endswith(RAW_SUFFIX):
                continue
            capture_id = name[: -len(RAW_SUFFIX)]
            record = self._read_record(capture_id) if capture_id in metas else None
            if record is None:
                record = self._recover(capture_id)
            elif finish and record.pending and self.describe is not None:
                record = self._finish(record, self.describe) or record
            if record is not None:
                records.append(record)
        listed = {r.id for r in records}
        waiting = [
            CaptureRecord.from_dict(json.loads(meta))
            for capture_id, (_, _, _, meta) in _in_journal(self.root).items()
            if capture_id not in listed
        ]
        if waiting:
            records = sorted(records + waiting, key=lambda r: r.id)
        return records

    def _read_record(self, capture_id: str) -> CaptureRecord | None:
        try:
            data = json.loads(self.meta_path(capture_id).read_bytes())
            return CaptureRecord.from_dict(data) if isinstance(data, dict) else None
        except (OSError, ValueError, TypeError):
            return None

    def _recover(self, capture_id: str) -> CaptureRecord | None:
        """Rebuild a record from a raw file alone (the app died between the two writes, or the record broke)."""
        path = self.raw_path(capture_id)
        try:
            raw = path.read_bytes()
            mtime = path.stat().st_mtime
        except OSError:
            return None
        head = raw.split(b"\r\n", 1)[0].decode("latin-1", "replace").split(" ")
        method, target = (head[0], head[1]) if len(head) >= 2 else ("?", "?")
        record = CaptureRecord(
            id=capture_id,
            time=mtime,
            api="unknown",
            method=method,
            target=target,
            size=len(raw),
            note="recovered: the record of this capture was missing or damaged",
            recovered=True,
        )
        if self.describe is not None:
            try:
                self.describe(raw, record)
            except Exception:  # a capture the format core cannot read is still listed
                pass
        with contextlib.suppress(OSError):
            write_atomic(self.meta_path(capture_id), json.dumps(record.as_dict()).encode("utf-8"))
        return record


__all__ = [
    "CaptureRecord",
    "CaptureStore",
    "default_store_dir",
    "journal_forget",
    "journal_note",
    "record_bytes",
    "write_atomic",
    "write_batch",
    "write_plain",
]
