"""The receiver's write-ahead journal: what makes a capture durable before the answer, at thousands per second.

Making two files durable per request (temp file, fsync, rename, folder fsync) costs the disk several
synchronous writes each; measured here, ~180-400 captures/s whatever the batching. So the receiver appends each
capture (its record as JSON, then the redacted raw request) to a segment file ``<store>/.journal/*.wal`` and
answers once one ``fdatasync`` covers the whole batch (group commit). A second stage
(:mod:`inspector.net.indexer`) later turns every entry into the usual ``.request.http`` + ``.json`` files of the
inbox (plain writes: the journal already holds them), validates, and deletes a segment once everything in it
is on disk (one ``syncfs``).

Entry layout: ``CIJ1`` | meta length (u32) | raw length (u64) | crc32 of meta+raw (u32) | meta | raw. A reader
stops at the first entry that is cut off or whose checksum fails (the tail of a batch whose ``fdatasync`` never
returned: never answered). Each live segment is ``flock``-ed by the process that writes it; :func:`replay`
(called by every load of the store) only takes segments nobody holds: those a killed receiver left.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import secrets
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; a live segment is then told apart by its writer's open handle
    fcntl = None  # type: ignore[assignment]

JOURNAL_DIR = ".journal"
SEGMENT_SUFFIX = ".wal"
MAGIC = b"CIJ1"
HEADER = struct.Struct("<4sIQI")


def journal_dir(root: Path) -> Path:
    return root / JOURNAL_DIR


def encode_entry(meta: bytes, raw: bytes) -> bytes:
    crc = zlib.crc32(raw, zlib.crc32(meta))
    return HEADER.pack(MAGIC, len(meta), len(raw), crc) + meta + raw


def read_entries(fd: int, start: int = 0, end: int | None = None) -> Iterator[tuple[int, bytes, bytes]]:
    """``(next offset, meta, raw)`` of each whole entry from ``start`` (up to ``end``); stops at a torn one."""
    pos = start
    while end is None or pos < end:
        head = os.pread(fd, HEADER.size, pos)
        if len(head) < HEADER.size:
            return
        magic, meta_len, raw_len, crc = HEADER.unpack(head)
        if magic != MAGIC:
            return
        size = meta_len + raw_len
        data = os.pread(fd, size, pos + HEADER.size)
        if len(data) < size or zlib.crc32(data) != crc:
            return
        pos += HEADER.size + size
        yield pos, data[:meta_len], data[meta_len:]


def fsync_dir(path: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_syncfs: Callable[[int], int] | None = None
if hasattr(os, "sched_getaffinity"):  # Linux
    with contextlib.suppress(OSError, AttributeError, TypeError):
        _syncfs = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).syncfs


def sync_filesystem(path: Path) -> None:
    """Make every write to the file system holding ``path`` durable (``syncfs``; ``sync`` where it is missing)."""
    if _syncfs is not None:
        fd = os.open(path, os.O_RDONLY)
        try:
            if _syncfs(fd) == 0:
                return
        finally:
            os.close(fd)
    if hasattr(os, "sync"):
        os.sync()


def lock(fd: int, *, block: bool = True) -> bool:
    """An exclusive ``flock`` on ``fd``; False when another open file holds it (``block=False``)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
    except OSError:
        return False
    return True


def new_segment(root: Path) -> tuple[Path, int]:
    """Create and lock a new segment (its folder entry made durable); returns its path and open fd."""
    folder = journal_dir(root)
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        fsync_dir(root)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    path = folder / f"{stamp}-{os.getpid()}-{secrets.token_hex(3)}{SEGMENT_SUFFIX}"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_APPEND | getattr(os, "O_BINARY", 0), 0o600)
    lock(fd)
    fsync_dir(folder)
    return path, fd


def replay(root: Path, materialize: Callable[[bytes, bytes], None]) -> int:
    """Materialize and delete the segments a dead writer left (``materialize(meta, raw)`` per entry, in order).

    Segments a live writer holds are left alone. Returns the number of entries replayed.
    """
    folder = journal_dir(root)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SEGMENT_SUFFIX))
    except FileNotFoundError:
        return 0
    count = 0
    for name in names:
        path = folder / name
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
        except OSError:
            continue
        try:
            if not lock(fd, block=False):
                continue  # a live receiver writes it (or its indexer is still turning it into files)
            for _, meta, raw in read_entries(fd):
                materialize(meta, raw)
                count += 1
            sync_filesystem(root)
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            fsync_dir(folder)
        finally:
            os.close(fd)
    return count


__all__ = [
    "JOURNAL_DIR",
    "encode_entry",
    "fsync_dir",
    "journal_dir",
    "lock",
    "new_segment",
    "read_entries",
    "replay",
    "sync_filesystem",
]
