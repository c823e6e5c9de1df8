"""The network fault matrix through the window's Send panel, against real servers on 127.0.0.1.

Each fault: refused, timeout, reset mid-upload, slow drip, TLS with an untrusted certificate, 400/401/403/413/
422/429 (Retry-After)/500/503, a non-JSON body and a redirect from https to plain http. For every one: the
panel shows the explained message, the document is unchanged, and the event loop kept turning while the send
was under way (a QTimer ticked: functional, not a timing threshold).
"""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer

from inspector.formats import load_path
from inspector.net.history import History
from inspector.net.profiles import Profile, ProfileStore
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.send.send_panel import SendPanel
from inspector.ui.workers import wait_all
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
TOKEN = "fa017fa017fa017fa017fa017fa017fa"
DRIP_SECONDS = 1.0


class _ExtraHandler(BaseHTTPRequestHandler):
    """Faults the shared FaultServer lacks: 401, a slow-drip answer and a redirect to plain http."""

    protocol_version = "HTTP/1.1"
    server: ExtraServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.hits += 1
        if "/401/" in self.path:
            body = b'{"err":1,"message":"invalid access token"}'
            self._answer(401, body)
        elif "/drip/" in self.path:
            body = b'{"err":0,"result":{"id":null,"uuid":"0123456789abcdef0123456789abcdef"}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            pause = DRIP_SECONDS / len(body)
            for byte in body:  # one byte at a time: the answer takes DRIP_SECONDS
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(pause)
        elif "/redirect/" in self.path:
            self.send_response(301)
            self.send_header("Location", f"http://127.0.0.1:{self.server.plain_port}/api/1/item/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(404, b"{}")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class ExtraServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, tls: ssl.SSLContext | None = None, plain_port: int = 9) -> None:
        super().__init__(("127.0.0.1", 0), _ExtraHandler)
        self.hits = 0
        self.plain_port = plain_port
        if tls is not None:
            self.socket = tls.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(5)


@pytest.fixture(scope="module")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1 that no trust store knows (openssl CLI)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def fault_server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    db = History(tmp_path / "history.sqlite3")
    yield db
    wait_all(10000)
    db.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on return: nothing listens there


# (case, where the base URL points, expected words in the panel's answer line)
MATRIX = [
    ("refused", "closed", ["refused"]),
    ("timeout", "fault:timeout", ["Timed out"]),
    ("reset", "fault:reset", ["closed before a complete answer"]),
    ("400", "fault:400", ["400"]),
    ("401", "extra:/401", ["401", "token"]),
    ("403", "fault:403", ["403"]),
    ("413", "fault:413", ["413"]),
    ("422", "fault:422", ["422"]),
    ("429", "fault:429", ["429", "waited 1 s"]),
    ("500", "fault:500", ["500"]),
    ("503", "fault:503", ["503", "waited 1 s"]),
    ("nonjson", "fault:nonjson", ["200", "not Rollbar's JSON"]),
    ("drip", "extra:/drip", ["200", "Accepted"]),
    ("untrusted-tls", "tls:/drip", ["could not be verified", "CA bundle"]),
    ("redirect-to-http", "tls-trusted:/redirect", ["301"]),
]


@pytest.mark.parametrize(("case", "where", "words"), MATRIX, ids=[m[0] for m in MATRIX])
def test_fault_is_explained_keeps_the_document_and_the_loop_turns(
    qtbot,
    history: History,
    fault_server: FaultServer,
    tls_context: ssl.SSLContext,
    tmp_path: Path,
    case: str,
    where: str,
    words: list[str],
) -> None:  # type: ignore[no-untyped-def]
    extra: ExtraServer | None = None
    profile: dict[str, object] = {"max_attempts": 2 if case in ("429", "503") else 1, "timeout": 5.0}
    if where == "closed":
        base = f"http://127.0.0.1:{_closed_port()}"
    elif where.startswith("fault:"):
        base = fault_server.fault(where.split(":")[1])
    else:
        kind, path = where.split(":")
        plain_port = int(fault_server.url.rsplit(":", 1)[1])
        extra = ExtraServer(tls=tls_context if kind.startswith("tls") else None, plain_port=plain_port)
        base = extra.url + path
        if kind == "tls-trusted":
            profile["verify_tls"] = False  # trusted for this test: the point is the redirect to plain http
    document = OpenDocument(load_path(str(ROLLBAR), format="rollbar"), path=ROLLBAR)
    before = document.document.to_bytes()  # type: ignore[union-attr]
    ProfileStore().put(Profile("matrix", kind="rollbar", base_url=base, **profile), secret=TOKEN)  # type: ignore[arg-type]
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.document_changed(document)
    if case == "timeout":
        panel.timeout_spin.setValue(1.0)
    ticks: list[bool] = []
    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(lambda: ticks.append(panel.cancel_button.isEnabled()))
    heartbeat.start()
    try:
        with qtbot.waitSignal(panel.finished, timeout=30000):
            assert panel.send()
    finally:
        heartbeat.stop()
        if extra is not None:
            extra.stop()
    answer = panel.response_status.text()
    for word in words:
        assert word in answer, (case, answer)
    assert TOKEN not in answer
    assert document.document.to_bytes() == before and not document.modified  # type: ignore[union-attr]
    # the loop turned while the send was under way (ticks seen with the Cancel button enabled)
    assert any(ticks), f"{case}: no event-loop tick while sending"
    if case == "redirect-to-http":
        assert len(fault_server.requests) == 0, "the redirect to plain http was followed"
    assert panel.send_button.isEnabled()


def test_redirect_to_plain_http_names_the_downgrade(qtbot, history: History, tls_context: ssl.SSLContext) -> None:  # type: ignore[no-untyped-def]
    extra = ExtraServer(tls=tls_context, plain_port=9)
    document = OpenDocument(load_path(str(ROLLBAR), format="rollbar"), path=ROLLBAR)
    store = ProfileStore()
    store.put(
        Profile("redir", kind="rollbar", base_url=extra.url + "/redirect", verify_tls=False, max_attempts=1),
        secret=TOKEN,
    )
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.document_changed(document)
    try:
        with qtbot.waitSignal(panel.finished, timeout=30000):
            assert panel.send()
    finally:
        extra.stop()
    shown = panel.response_status.text()
    assert "plain http" in shown and "http://127.0.0.1:9/api/1/item/" in shown and "301" in shown, shown
    assert "base URL" in shown and TOKEN not in shown
    assert extra.hits == 1  # the redirect was not followed
