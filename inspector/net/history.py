"""Every send, recorded in SQLite under the user data dir: when, profile, request summary, answer, timing, payload.

Secrets never reach the database: every text and the stored request go through :meth:`RequestSpec.mask`
(bytes too), and a gzip body is stored decompressed so a secret cannot hide in compressed bytes. The stored
``payload`` is the request as an HTTP/1.1 message (masked), which :func:`inspector.formats.load_bytes` reads
back with its attachments, so "open" and "resend" work from the record alone.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from inspector import settings
from inspector.formats.base import RequestSpec, mask_bytes, secret_regex
from inspector.formats.http_headers import header

if TYPE_CHECKING:  # the client brings httpx (0.07 s): only its type is needed here
    from inspector.net.client import Exchange

MASK = "•" * 8
#: The stored request message is HTTP/1.1, whose head must be ASCII: secrets become this word there.
ASCII_MASK = "REDACTED"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL,
    profile TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    format TEXT NOT NULL,
    source TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    request_headers TEXT NOT NULL,
    request_size INTEGER NOT NULL,
    status INTEGER,
    ok INTEGER NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    failure_kind TEXT,
    response_headers TEXT NOT NULL,
    response_body BLOB NOT NULL,
    elapsed_ms REAL NOT NULL,
    attempts INTEGER NOT NULL,
    payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sends_started ON sends(started_at);
"""

#: Columns the history list shows (cheap); the blobs are read one row at a time.
LIST_COLUMNS = (
    "id",
    "started_at",
    "profile",
    "target_kind",
    "format",
    "source",
    "status",
    "ok",
    "summary",
    "elapsed_ms",
    "request_size",
    "url",
    "failure_kind",
)


def default_path() -> Path:
    return settings.history_path()


@dataclass(slots=True)
class Entry:
    """One recorded send (list columns; ``load_detail`` adds the rest)."""

    id: int
    started_at: float
    profile: str
    target_kind: str
    format: str
    source: str
    status: int | None
    ok: bool
    summary: str
    elapsed_ms: float
    request_size: int
    url: str
    failure_kind: str | None

    @property
    def when(self) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started_at))


def _entry(row: tuple[Any, ...]) -> Entry:
    """An :class:`Entry` from a row of ``LIST_COLUMNS`` (sqlite gives ``ok`` as 0/1)."""
    entry_id, started_at, profile, target_kind, fmt, source, status, ok, summary, elapsed, size, url, failure = row
    return Entry(
        entry_id, started_at, profile, target_kind, fmt, source, status, bool(ok), summary, elapsed, size, url, failure
    )


def _mask_bytes(spec: RequestSpec, data: bytes, mask: str = MASK) -> bytes:
    """Every secret out of ``data``, in any spelling (URL-encoded too: masking compares decoded values)."""
    return mask_bytes(spec.secrets, data, mask.encode("utf-8"))


def _mask_ascii(spec: RequestSpec, text: str) -> str:
    pattern = secret_regex(tuple(spec.secrets))
    return pattern.sub(ASCII_MASK, text) if pattern is not None else text


def request_message(spec: RequestSpec) -> bytes:
    """The request as a masked HTTP/1.1 message (gzip undone), readable by the envelope decoder."""
    parts = urlsplit(spec.url)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    body = spec.body
    headers = [(k, v) for k, v in spec.headers if k.lower() not in ("content-length", "host", "transfer-encoding")]
    if (header(headers, "content-encoding") or "").lower() == "gzip":
        try:
            body = gzip.decompress(body)
            headers = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
        except (OSError, EOFError):
            pass
    body = _mask_bytes(spec, body, ASCII_MASK)
    head = [f"{spec.method} {_mask_ascii(spec, target)} HTTP/1.1", f"Host: {parts.netloc}"]
    head += [f"{k}: {_mask_ascii(spec, v)}" for k, v in headers]
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("utf-8") + body


#: The database holds payloads and responses: the user's alone (SQLite gives its journal the same mode).
DB_MODE = 0o600


def _private_file(path: Path) -> None:
    """Create ``path`` (and a new folder, 0700) readable by the user only; an existing file is made so."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), DB_MODE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, DB_MODE)  # a database from an older version was 0644
    finally:
        os.close(fd)
    for suffix in ("-journal", "-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.chmod(side, DB_MODE)


class History:
    """The history database. Thread-safe (one connection, a lock): sends are recorded from worker threads."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        _private_file(self.path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, exchange: Exchange, *, profile: str, target_kind: str, format: str, source: str = "") -> int:
        spec = exchange.request
        outcome_details = exchange.details + exchange.history
        row = (
            exchange.started_at,
            profile,
            target_kind,
            format,
            source,
            spec.method,
            spec.masked_url,
            json.dumps(spec.masked_headers()),
            len(spec.body),
            exchange.status,
            int(exchange.ok),
            spec.mask(exchange.summary),
            json.dumps([spec.mask(d) for d in outcome_details]),
            exchange.failure.kind if exchange.failure else None,
            json.dumps([(k, spec.mask(v)) for k, v in exchange.headers]),
            _mask_bytes(spec, exchange.body),
            exchange.elapsed * 1000.0,
            exchange.attempts,
            request_message(spec),
        )
        with self._lock:
            cur = self._db.execute(
                "INSERT INTO sends (started_at, profile, target_kind, format, source, method, url, request_headers,"
                " request_size, status, ok, summary, details, failure_kind, response_headers, response_body,"
                " elapsed_ms, attempts, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                row,
            )
            self._db.commit()
            return int(cur.lastrowid or 0)

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sends").fetchone()[0])

    def page(self, offset: int, limit: int) -> list[Entry]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {', '.join(LIST_COLUMNS)} FROM sends ORDER BY id DESC LIMIT ? OFFSET ?", (limit, offset)
            ).fetchall()
        return [_entry(row) for row in rows]

    def detail(self, entry_id: int) -> dict[str, object]:
        """Everything of one send (headers and details decoded)."""
        with self._lock:
            cur = self._db.execute("SELECT * FROM sends WHERE id = ?", (entry_id,))
            row = cur.fetchone()
            names = [d[0] for d in cur.description]
        if row is None:
            raise KeyError(entry_id)
        data = dict(zip(names, row))
        for key in ("request_headers", "response_headers", "details"):
            data[key] = json.loads(data[key])
        return data

    def payload(self, entry_id: int) -> bytes:
        with self._lock:
            row = self._db.execute("SELECT payload FROM sends WHERE id = ?", (entry_id,)).fetchone()
        if row is None:
            raise KeyError(entry_id)
        return bytes(row[0])

    def clear(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sends")
            self._db.commit()


def newest_send(sources: list[str], basename: str, path: Path | None = None) -> dict[str, Any] | None:
    """The newest recorded send whose source is one of ``sources`` or a path ending in ``/basename``, read from
    the database without writing (a missing or unreadable database: None). The one reader besides :class:`History`
    (the toolkit's bundle asks this instead of opening the database itself)."""
    path = path if path is not None else default_path()
    if not Path(path).is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        marks = ",".join("?" * len(sources))
        cur = db.execute(
            f"SELECT * FROM sends WHERE source IN ({marks}) OR source LIKE ? ORDER BY id DESC LIMIT 1",
            (*sources, "%/" + basename),
        )
        row = cur.fetchone()
        names = [d[0] for d in cur.description]
    except sqlite3.Error:
        return None
    finally:
        db.close()
    return None if row is None else dict(zip(names, row, strict=True))
