"""A real HTTP/1.1 server on 127.0.0.1 (raw sockets + h11) that records upload requests byte for byte.

Each request's raw bytes are hashed as they arrive and kept whole up to ``keep`` bytes (beyond that: the first
and last 64 KiB, the length and the SHA-256), so a multi-hundred-MB upload costs the test no memory.

Modes (``server.mode``): ``ok`` answers ``{"response":"ok","_rxid":…}`` after the whole body; ``continue`` first
sends an unsolicited ``100 Continue`` after the headers; ``403`` answers at once after the headers, reads no body
and closes; ``slow`` reads one chunk at a time with a pause (for the cancel test).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field

import h11

RXID = "01000000-7e23-7a1e-0000-000000000000"
EDGE = 64 * 1024


@dataclass
class Received:
    """One request as it came off the socket."""

    method: str = ""
    target: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    raw_head: bytes = b""  # request line + headers, as sent
    body_length: int = 0
    body_sha256: str = ""
    body: bytes | None = None  # the whole body when small enough
    body_start: bytes = b""
    body_end: bytes = b""
    complete: bool = False  # the whole declared body arrived

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class UploadServer:
    def __init__(self, keep: int = 4 * 1024 * 1024) -> None:
        self.keep = keep
        self.mode = "ok"
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.body_started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> UploadServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        except OSError:
            pass
        self._thread.join(5)
        self.sock.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            conn, _addr = self.sock.accept()
            if self._stop.is_set():
                conn.close()
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            self._exchange(conn)
        except (OSError, h11.RemoteProtocolError):
            pass
        finally:
            conn.close()

    def _exchange(self, conn: socket.socket) -> None:
        h = h11.Connection(h11.SERVER)
        rec = Received()
        raw_head = bytearray()
        digest = hashlib.sha256()
        kept = bytearray()
        tail = bytearray()
        mode = self.mode
        while True:
            event = h.next_event()
            if event is h11.NEED_DATA:
                data = conn.recv(256 * 1024)
                if not data:
                    break
                if not rec.method:
                    raw_head += data  # trimmed to the head below
                h.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                rec.method = event.method.decode()
                rec.target = event.target.decode()
                rec.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers.raw_items()]
                rec.raw_head = bytes(raw_head[: raw_head.find(b"\r\n\r\n") + 4])
                with self.lock:
                    self.requests.append(rec)
                if mode == "continue":
                    conn.sendall(h.send(h11.InformationalResponse(status_code=100, headers=[])))
                if mode == "403":  # answer before the body, then drain it (as servers do) so the answer is read
                    self._answer(conn, h, 403, {"error": {"code": 6, "message": "invalid token"}})
                    conn.shutdown(socket.SHUT_WR)
                    conn.settimeout(10)
                    while conn.recv(256 * 1024):
                        pass
                    return
                continue
            if isinstance(event, h11.Data):
                self.body_started.set()
                chunk = bytes(event.data)
                digest.update(chunk)
                rec.body_length += len(chunk)
                if len(kept) < self.keep:
                    kept += chunk[: self.keep - len(kept)]
                tail += chunk
                del tail[:-EDGE]
                if mode == "slow":
                    self._stop.wait(0.05)
                continue
            if isinstance(event, h11.EndOfMessage):
                rec.complete = True
                break
            break
        rec.body_sha256 = digest.hexdigest()
        rec.body = bytes(kept) if rec.body_length <= self.keep else None
        rec.body_start = bytes(kept[:EDGE])
        rec.body_end = bytes(tail)
        if rec.complete:
            self._answer(conn, h, 200, {"response": "ok", "_rxid": RXID})

    @staticmethod
    def _answer(conn: socket.socket, h: h11.Connection, status: int, value: object) -> None:
        body = json.dumps(value).encode()
        headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Connection", "close")]
        conn.sendall(h.send(h11.Response(status_code=status, headers=headers)))
        conn.sendall(h.send(h11.Data(data=body)))
        conn.sendall(h.send(h11.EndOfMessage()))
