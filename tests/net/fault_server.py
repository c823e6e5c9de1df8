"""A small real HTTP server on 127.0.0.1 for the send tests: records every request and misbehaves on demand.

Any path is an echo endpoint that answers like the vendor its path looks like (``/post`` and hosted paths:
Backtrace ``{"response":"ok","_rxid":…}``; ``/api/1/item/``: Rollbar ``{"err":0,…}``; ``/logs``: App Center
``{"status":"Success"}``). With an ``ssl.SSLContext`` it speaks https (the CA-bundle tests).
A path starting with ``/fault/NAME/`` misbehaves instead (the rest of the path is
whatever the format module appends to the base URL ``http://127.0.0.1:PORT/fault/NAME``):

====================  ==========================================================================
``400 403 413 422``   that status with a Rollbar-style ``{"err":1,"message":…}`` body
``500``               500 with a JSON error body
``429``               429 with ``Retry-After: 1``
``429ms``             429 with ``x-ms-retry-after-ms: 50``
``503``               503 with ``Retry-After: 1``
``busyN``             503 with ``x-ms-retry-after-ms: 50`` the first N times, then the echo answer
``ratelimit``         429 with ``X-Rate-Limit-Remaining-Seconds: 0.05``
``timeout``           reads the request and never answers (until the server stops)
``reset``             reads 1 KiB of the body, then closes the socket with RST while the client still sends
``nonjson``           200 with an HTML body
====================  ==========================================================================
"""

from __future__ import annotations

import json
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(slots=True)
class Recorded:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: FaultServer

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        parts = path.split("/")
        fault = parts[2] if len(parts) > 2 and parts[1] == "fault" else None
        if fault == "reset":
            self.rfile.read(1024)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:  # the client gave up mid-upload (cancel): nothing to answer
            self.close_connection = True
            return
        self.server.record(Recorded(self.command, self.path, list(self.headers.items()), body))
        if fault == "timeout":
            self.server.stopping.wait(60)
            self.close_connection = True
            return
        if fault in ("400", "403", "413", "422", "500"):
            self._json(int(fault), {"err": 1, "message": f"fault {fault} from the test server"})
        elif fault == "429":
            self._json(429, {"err": 1, "message": "rate limited"}, [("Retry-After", "1")])
        elif fault == "429ms":
            self._json(429, {"err": 1, "message": "rate limited"}, [("x-ms-retry-after-ms", "50")])
        elif fault == "ratelimit":
            self._json(429, {"err": 1, "message": "rate limited"}, [("X-Rate-Limit-Remaining-Seconds", "0.05")])
        elif fault == "503":
            self._json(503, {"error": {"code": 503, "message": "busy"}}, [("Retry-After", "1")])
        elif fault and fault.startswith("busy") and self.server.count(fault) <= int(fault[4:] or 1):
            self._json(503, {"error": "busy"}, [("x-ms-retry-after-ms", "50")])
        elif fault == "nonjson":
            self._send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")
        else:
            self._echo(path)

    do_PUT = do_POST

    def _echo(self, path: str) -> None:
        if "/api/1/item" in path:
            self._json(200, {"err": 0, "result": {"id": None, "uuid": "8a2a5d0e-0000-4000-8000-000000000001"}})
        elif path.endswith("/logs"):
            self._json(200, {"status": "Success", "validDiagnosticsIds": [], "throttledDiagnosticsIds": []})
        else:
            self._json(200, {"response": "ok", "_rxid": "01000000-7e23-7a1e-0000-000000000000"})

    def _json(self, status: int, value: object, headers: list[tuple[str, str]] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), "application/json", headers)

    def _send(self, status: int, body: bytes, ctype: str, headers: list[tuple[str, str]] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers or []:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def fault(self, name: str) -> str:
        """The base URL that makes the server misbehave as ``name``."""
        return f"{self.url}/fault/{name}"

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up is normal here (reset, cancel, timeout tests): stay quiet."""

    def record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)

    def count(self, key: str) -> int:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + 1
            return self._counts[key]

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()
