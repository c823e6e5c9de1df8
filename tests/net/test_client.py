"""Sending against a real HTTP server on 127.0.0.1: byte-checked requests, every fault explained, retries, cancel."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from inspector.formats import get_format, load_path
from inspector.formats.base import RequestSpec, Target
from inspector.net.client import SendOptions, insecure_warning, retry_delay, send_request
from inspector.net.explain import explain_exception
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
BACKTRACE = CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json"
APPCENTER = CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
BT_TOKEN = "f" * 64
FORMATS = {ROLLBAR: "rollbar", BACKTRACE: "backtrace", APPCENTER: "appcenter"}
SECRET = "0b3a1c64-1111-2222-3333-444455556666"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


def _send(spec: RequestSpec, fmt: str, **kw: object):  # type: ignore[no-untyped-def]
    options = kw.pop("options", None) or SendOptions(timeout=5, max_attempts=1)
    return send_request(spec, read_response=get_format(fmt).read_response, options=options, **kw)  # type: ignore[arg-type]


def _targets(base: str) -> list[tuple[Path, Target, str]]:
    return [
        (ROLLBAR, Target(kind="rollbar", base_url=base, token=TOKEN), "/api/1/item/"),
        (BACKTRACE, Target(kind="backtrace-direct", base_url=base, token=BT_TOKEN), "/post?format=json&token="),
        (BACKTRACE, Target(kind="backtrace-onprem", base_url=base, token=BT_TOKEN), "/api/post?format=json&token="),
        (BACKTRACE, Target(kind="backtrace-hosted", base_url=base, token=BT_TOKEN, universe="acme"), "/acme/"),
        (APPCENTER, Target(kind="appcenter", base_url=base, app_secret=SECRET, install_id="i-1"), "/logs?"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_each_format_request_arrives_byte_for_byte(server: FaultServer, index: int) -> None:
    path, target, path_start = _targets(server.url)[index]
    sub = load_path(str(path), format=FORMATS[path])
    spec = get_format(sub.format).build_request(sub, target)
    seen: list[tuple[int, int]] = []
    exchange = _send(spec, sub.format, progress=lambda a, b: seen.append((a, b)))
    assert exchange.failure is None, exchange.summary
    assert exchange.status == 200 and exchange.ok, exchange.summary
    got = server.requests[-1]
    assert got.body == spec.body
    assert got.target == spec.url.removeprefix(server.url)
    assert got.target.startswith(path_start)
    assert got.header("Content-Length") == str(len(spec.body))
    assert got.header("Transfer-Encoding") is None
    for key, value in spec.headers:
        assert got.header(key) == value
    assert seen[-1] == (len(spec.body), len(spec.body))
    assert exchange.sent_bytes == len(spec.body)
    assert exchange.elapsed > 0


def test_gzip_body_arrives_compressed(server: FaultServer) -> None:
    sub = load_path(str(ROLLBAR), format="rollbar")
    spec = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url=server.url, token=TOKEN, gzip=True))
    exchange = _send(spec, "rollbar")
    assert exchange.ok
    got = server.requests[-1]
    assert got.header("Content-Encoding") == "gzip"
    assert gzip.decompress(got.body) == sub.document.to_bytes()  # type: ignore[union-attr]


def test_large_body_progress_in_chunks(server: FaultServer) -> None:
    body = b'{"logs":[]}' + b" " * (3 * 1024 * 1024)
    spec = RequestSpec("POST", f"{server.url}/logs?api-version=1.0.0", [("Content-Type", "application/json")], body)
    seen: list[int] = []
    exchange = send_request(
        spec, options=SendOptions(timeout=10, chunk_size=256 * 1024), progress=lambda a, _b: seen.append(a)
    )
    assert exchange.status == 200
    assert len(seen) == 1 + len(body) // (256 * 1024) + 1
    assert seen == sorted(seen) and seen[-1] == len(body)
    assert server.requests[-1].body == body


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("400", 400, "not JSON"),
        ("403", 403, "invalid"),
        ("413", 413, "too large"),
        ("422", 422, "semantically invalid"),
        ("500", 500, "internal server error"),
        ("nonjson", 200, "no Rollbar JSON"),
    ],
)
def test_http_faults_are_explained(server: FaultServer, fault: str, status: int, words: str) -> None:
    sub = load_path(str(ROLLBAR), format="rollbar")
    spec = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url=server.fault(fault), token=TOKEN))
    exchange = _send(spec, "rollbar")
    assert exchange.status == status
    assert exchange.failure is None and exchange.outcome is not None
    assert words in exchange.summary
    assert exchange.exit_code == (0 if status == 200 else 1)


def test_429_retry_after_is_honoured_then_gives_up(server: FaultServer) -> None:
    sub = load_path(str(ROLLBAR), format="rollbar")
    spec = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url=server.fault("429"), token=TOKEN))
    waits: list[tuple[float, int, int]] = []
    exchange = _send(
        spec, "rollbar", options=SendOptions(timeout=5, max_attempts=2), waiting=lambda *a: waits.append(a)
    )
    assert exchange.status == 429 and exchange.attempts == 2
    assert len(server.requests) == 2
    assert waits[0][1:] == (2, 2) and 0.5 < waits[0][0] <= 1.0
    assert waits[-1][0] == 0.0
    assert "waited 1 s" in exchange.history[0]
    assert "rate limited" in exchange.summary


@pytest.mark.parametrize("fault", ["429ms", "ratelimit"])
def test_vendor_retry_headers(server: FaultServer, fault: str) -> None:
    sub = load_path(str(ROLLBAR), format="rollbar")
    spec = get_format("rollbar").build_request(sub, Target(kind="rollbar", base_url=server.fault(fault), token=TOKEN))
    exchange = _send(spec, "rollbar", options=SendOptions(timeout=5, max_attempts=3))
    assert exchange.attempts == 3 and len(server.requests) == 3
    assert "waited 0.05 s" in exchange.history[0]


def test_503_then_success(server: FaultServer) -> None:
    sub = load_path(str(APPCENTER), format="appcenter")
    target = Target(kind="appcenter", base_url=server.fault("busy2"), app_secret=SECRET, install_id="i")
    spec = get_format("appcenter").build_request(sub, target)
    exchange = _send(spec, "appcenter", options=SendOptions(timeout=5, max_attempts=4))
    assert exchange.ok and exchange.status == 200 and exchange.attempts == 3
    assert len(exchange.history) == 2


def test_too_long_retry_after_is_not_waited(server: FaultServer) -> None:
    spec = RequestSpec("POST", server.fault("503") + "/post", [], b"{}")
    exchange = send_request(spec, options=SendOptions(timeout=5, max_attempts=3, max_wait=0.5))
    assert exchange.attempts == 1 and exchange.status == 503
    assert "more than the 0.5 s limit" in exchange.history[0]


def test_timeout_is_explained(server: FaultServer) -> None:
    spec = RequestSpec("POST", server.fault("timeout") + "/post", [], b"{}")
    exchange = send_request(spec, options=SendOptions(timeout=0.3, max_attempts=1))
    assert exchange.failure is not None and exchange.failure.kind == "timeout"
    assert exchange.status is None and exchange.outcome is None
    assert "Timed out after 0.3 s waiting for the answer" in exchange.summary
    assert exchange.exit_code == 2


def test_reset_mid_upload_is_explained(server: FaultServer) -> None:
    body = b"x" * (32 * 1024 * 1024)
    spec = RequestSpec("POST", server.fault("reset") + "/post", [], body)
    exchange = send_request(spec, options=SendOptions(timeout=10, max_attempts=1))
    assert exchange.failure is not None, exchange.status
    assert exchange.failure.kind == "reset", exchange.failure
    assert "closed before a complete answer" in exchange.summary
    assert 0 < exchange.sent_bytes < len(body)


def test_refused_is_explained() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    spec = RequestSpec("POST", f"http://127.0.0.1:{port}/post", [], b"{}")
    exchange = send_request(spec, options=SendOptions(timeout=2, max_attempts=1))
    assert exchange.failure is not None and exchange.failure.kind == "refused"
    assert f"127.0.0.1:{port} was refused" in exchange.summary


def test_tls_against_plain_server_is_explained(server: FaultServer) -> None:
    spec = RequestSpec("POST", server.url.replace("http://", "https://") + "/post", [], b"{}")
    exchange = send_request(spec, options=SendOptions(timeout=3, max_attempts=1))
    assert exchange.failure is not None and exchange.failure.kind == "tls", exchange.failure


def test_dns_failure_is_explained() -> None:
    """DNS cannot be made to fail for real without the network; this is the one mocked fault."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from socket.gaierror(-2, "not known")

    spec = RequestSpec("POST", "https://no-such-host.invalid/post", [], b"{}")
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        exchange = send_request(spec, client=client, options=SendOptions(max_attempts=1))
    assert exchange.failure is not None and exchange.failure.kind == "dns"
    assert "'no-such-host.invalid' could not be resolved" in exchange.summary


def test_explain_certificate_error() -> None:
    import ssl

    cert = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cert.verify_message = "self-signed certificate"  # type: ignore[attr-defined]
    exc = httpx.ConnectError("verify failed")
    exc.__cause__ = cert
    failure = explain_exception(exc, "https://bt.example.com/api/post")
    assert failure.kind == "tls" and "self-signed certificate" in failure.summary
    assert any("CA bundle" in d for d in failure.details)


def test_cancel_during_upload(server: FaultServer) -> None:
    class Flag:
        cancelled = False

    flag = Flag()

    def progress(sent: int, total: int) -> None:
        if sent > 1024 * 1024:
            flag.cancelled = True

    spec = RequestSpec("POST", server.url + "/post", [], b"y" * (8 * 1024 * 1024))
    exchange = send_request(spec, options=SendOptions(timeout=5, max_attempts=1), progress=progress, cancel=flag)
    assert exchange.failure is not None and exchange.failure.kind == "cancelled"
    assert exchange.sent_bytes < len(spec.body)


def test_cancel_during_retry_wait(server: FaultServer) -> None:
    flag = threading.Event()

    class Token:
        @property
        def cancelled(self) -> bool:
            return flag.is_set()

    spec = RequestSpec("POST", server.fault("429") + "/post", [], b"{}")
    exchange = send_request(
        spec, options=SendOptions(timeout=5, max_attempts=3), cancel=Token(), waiting=lambda *a: flag.set()
    )
    assert exchange.failure is not None and exchange.failure.kind == "cancelled"
    assert len(server.requests) == 1


def test_retry_delay_headers() -> None:
    assert retry_delay([("Retry-After", "7")]) == 7
    assert retry_delay([("x-ms-retry-after-ms", "1500"), ("Retry-After", "9")]) == 1.5
    assert retry_delay([("X-Rate-Limit-Remaining-Seconds", "42")]) == 42
    assert 0 <= retry_delay([("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]) == 0  # type: ignore[operator]
    assert retry_delay([("Retry-After", "soon")]) is None
    assert retry_delay([]) is None


def test_insecure_warning() -> None:
    def spec(url: str, secrets: list[str]) -> RequestSpec:
        return RequestSpec("POST", url, [], b"", secrets=secrets)

    assert insecure_warning(spec("http://bt.example.com:6097/post", ["t"])) is not None
    assert insecure_warning(spec("http://127.0.0.1:6097/post", ["t"])) is None
    assert insecure_warning(spec("http://localhost/post", ["t"])) is None
    assert insecure_warning(spec("http://[::1]/post", ["t"])) is None
    assert insecure_warning(spec("https://bt.example.com/post", ["t"])) is None
    assert insecure_warning(spec("http://bt.example.com/post", [])) is None


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[FaultServer, Path]]:
    """An https server on 127.0.0.1 with a self-signed certificate made by openssl for this test."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    srv = FaultServer(tls=context).start()
    yield srv, cert
    srv.stop()


def test_tls_verification_and_custom_ca_bundle(tls_server: tuple[FaultServer, Path]) -> None:
    server, cert = tls_server
    spec = RequestSpec("POST", server.url + "/api/post?format=json&token=t", [], b"{}", secrets=["t"])
    refused = send_request(spec, options=SendOptions(timeout=5, max_attempts=1))
    assert refused.failure is not None and refused.failure.kind == "tls"
    assert "could not be verified" in refused.summary and server.requests == []
    accepted = send_request(spec, options=SendOptions(timeout=5, max_attempts=1, ca_bundle=str(cert)))
    assert accepted.status == 200 and server.requests[-1].body == b"{}"
    unverified = send_request(spec, options=SendOptions(timeout=5, max_attempts=1, verify=False))
    assert unverified.status == 200


class _Redirector(ThreadingHTTPServer):
    """Answers every POST with ``status`` and a Location that repeats the request's path and query."""

    daemon_threads = True

    def __init__(self, status: int, location: str | None) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.hits.append(self.path)
                self.send_response(status)
                if location is not None:
                    self.send_header("Location", location.replace("{path}", self.path))
                self.send_header("Content-Length", "0")
                self.end_headers()

        server = self
        self.hits: list[str] = []
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_not_followed_and_is_explained(status: int) -> None:
    srv = _Redirector(status, "https://elsewhere.invalid{path}")
    try:
        sub = load_path(str(BACKTRACE), format="backtrace")
        target = Target(kind="backtrace-direct", base_url=srv.url, token=BT_TOKEN)
        spec = get_format("backtrace").build_request(sub, target)
        exchange = _send(spec, "backtrace")
    finally:
        srv.stop()
    assert len(srv.hits) == 1 and exchange.status == status and not exchange.ok
    summary = exchange.summary
    assert summary.startswith("The server redirects to https://elsewhere.invalid/post?format=json&token="), summary
    assert f"({status}); Crash Inspector does not follow redirects with a token" in summary
    assert "check the base URL (http vs https, trailing slash)" in summary
    assert BT_TOKEN not in summary and BT_TOKEN not in " ".join(exchange.details)  # the Location echoes the token
    assert "another host" in " ".join(exchange.details)


def test_redirect_without_location_and_relative_location() -> None:
    from inspector.net.explain import explain_redirect

    summary, _ = explain_redirect(302, None, "http://h/api/1/item/")
    assert "302" in summary and "without a Location" in summary
    summary, details = explain_redirect(301, "/api/1/item/", "http://h/api/1/item")
    assert "redirects to http://h/api/1/item/ (301)" in summary and "trailing slash" in summary
    assert not any("another host" in d for d in details)
    loud, _ = explain_redirect(308, "http://h/api/1/item/", "https://h/api/1/item/")
    assert loud.startswith("WARNING: the server redirects from https to plain http") and "unencrypted" in loud
