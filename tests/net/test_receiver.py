"""The local receiver against real clients on 127.0.0.1: raw sockets (byte-exact replays, slow and oversized
requests), httpx, and the ``crash-inspector receive`` command in a subprocess."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from inspector.cli import show_json
from inspector.formats import load_bytes, load_path, reports, validate
from inspector.formats.backtrace_url import parse_submit_target
from inspector.formats.base import Severity, redaction_placeholder
from inspector.net.receiver import ReceiverConfig, ReceiverThread, exposure_warning, is_loopback, route
from inspector.net.store import CaptureRecord, CaptureStore
from tests.conftest import CORPUS

HOST = "127.0.0.1"
BT_TOKEN = "0123456789abcdef" * 4
RB_TOKEN = "aaaabbbbccccddddeeeeffff00001111"
REQUEST_FILES = sorted(CORPUS.rglob("*.request.http"))
BT_JSON = (CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json").read_bytes()
RB_JSON = (CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json").read_bytes()
AC_JSON = (CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json").read_bytes()


def secrets_of(request: bytes) -> list[str]:
    """The secrets a request file carries, read with the format core (URL token, token headers, body token)."""
    sub = load_bytes(request)
    http = sub.envelope.http
    assert http is not None
    found = [parse_submit_target(http.target).token or ""]
    found += [(http.header(name) or "").strip() for name in ("X-Rollbar-Access-Token", "App-Secret")]
    value = sub.document.value if sub.document is not None else None
    found.append(value.get("access_token") or "" if isinstance(value, dict) else "")
    return [x for x in dict.fromkeys(found) if x]


def without_secrets(data: bytes, secrets: list[str]) -> bytes:
    """``data`` with each secret replaced by the receiver's same-length placeholder (the expected stored bytes)."""
    for secret in secrets:
        data = data.replace(secret.encode(), redaction_placeholder(len(secret)).encode())
    return data


def assert_stored_without_secrets(stored: bytes, sent: bytes, secrets: list[str]) -> None:
    """Every byte but the secrets' is as sent; no secret is left; same length (Content-Length, chunks stay right)."""
    assert secrets, "the request carries no secret: the check would prove nothing"
    assert stored == without_secrets(sent, secrets)
    assert len(stored) == len(sent)
    for secret in secrets:
        assert secret.encode() not in stored


def _token_shape(p: dict[str, str]) -> bool:
    return "hex characters" in p["message"] or "not a UUID" in p["message"] or "redacted by" in p["message"]


class Running:
    """A receiver on its own thread plus the records it reported, for assertions."""

    def __init__(self, store: CaptureStore, config: ReceiverConfig) -> None:
        self.store = store
        self.records: list[CaptureRecord] = []
        self._cond = threading.Condition()
        self.thread = ReceiverThread(store, config, on_capture=self._captured)
        self.port = self.thread.start()
        self.url = self.thread.url

    def _captured(self, record: CaptureRecord) -> None:
        with self._cond:
            self.records.append(record)
            self._cond.notify_all()

    def wait_records(self, count: int, timeout: float = 120.0) -> list[CaptureRecord]:
        # A bound on waiting, not a speed check: the second stage runs at nice 10, so on a 2-core machine busy with
        # the rest of the suite it gets a tenth of a core and a record can take tens of seconds (seen: > 10 s).
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.records) >= count, timeout), self.records
            return list(self.records)


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    started: list[Running] = []

    def _start(**overrides: object) -> Running:
        config = ReceiverConfig(host=HOST, port=0)
        for key, value in overrides.items():
            setattr(config, key, value)
        running = Running(CaptureStore(tmp_path / f"inbox{len(started)}"), config)
        started.append(running)
        return running

    yield _start
    for running in started:
        running.thread.stop()
        assert not running.thread.running


@pytest.fixture
def rx(start) -> Running:
    return start()


def raw_exchange(port: int, data: bytes, *, timeout: float = 10.0) -> bytes:
    """Send ``data`` on a fresh connection and read the whole answer (the head and a Content-Length body)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        return read_response(sock)


def read_response(sock: socket.socket) -> bytes:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return buf
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = next(
        (int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def body_of(response: bytes) -> bytes:
    return response.partition(b"\r\n\r\n")[2]


def http_request(target: str, body: bytes, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"POST {target} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers)]
    if not any(k.lower() in ("content-length", "transfer-encoding") for k, _ in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, size: int) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"


# ----------------------------------------------------------------------------------------------- corpus replay


@pytest.mark.parametrize("path", REQUEST_FILES, ids=lambda p: p.name)
def test_corpus_request_replayed_byte_for_byte_is_stored_and_parsed_alike(rx: Running, path: Path) -> None:
    sent = path.read_bytes()
    response = raw_exchange(rx.port, sent)
    assert status_of(response) == 200, response
    answer = json.loads(body_of(response))
    assert answer.get("response") == "ok" or answer.get("err") == 0
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    # head verbatim, body as sent (a one-chunk chunked body is re-framed identically), secrets replaced
    assert_stored_without_secrets(stored, sent, secrets_of(sent))
    assert {e["last4"] for e in record.redacted} == {secret[-4:] for secret in secrets_of(sent)}
    direct = load_path(str(path))
    again = load_bytes(stored)
    assert (again.format, again.kind) == (direct.format, direct.kind) == (record.format, record.kind)
    shown, expected = (
        show_json(again, reports(again), validate(again)),
        show_json(direct, reports(direct), validate(direct)),
    )
    # the same reports and counts; only the token-shape notes differ ("redacted by the receiver", at most info)
    assert [p for p in shown.pop("problems") if not _token_shape(p)] == [
        p for p in expected.pop("problems") if not _token_shape(p)
    ]
    assert shown == expected
    assert all(p.severity is not Severity.ERROR for p in validate(again))
    assert record.errors == 0 and record.status == 200 and record.client.startswith(HOST)


def test_multi_chunk_body_is_stored_dechunked_as_one_chunk(rx: Running) -> None:
    head = [("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")]
    sent = http_request(f"/post?format=json&token={BT_TOKEN}", chunked(BT_JSON, 700), head)
    assert status_of(raw_exchange(rx.port, sent)) == 200
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    assert stored.endswith(f"\r\n\r\n{len(BT_JSON):x}\r\n".encode() + BT_JSON + b"\r\n0\r\n\r\n")
    assert stored.startswith(f"POST /post?format=json&token={redaction_placeholder(64)} HTTP/1.1".encode())
    assert BT_TOKEN.encode() not in stored
    assert load_bytes(stored).kind == load_bytes(BT_JSON).kind
    assert record.size == len(BT_JSON)


# ----------------------------------------------------------------------------------------------- endpoints


@pytest.mark.parametrize(
    "target",
    [
        f"/post?format=json&token={BT_TOKEN}",
        f"/post?token={BT_TOKEN}&format=json",
        f"/api/post?token={BT_TOKEN}&format=json",
        f"/api/post?format=json&token={BT_TOKEN}&version=1.0",
        f"/myuniverse/{BT_TOKEN}/json",
    ],
)
def test_backtrace_url_forms_answer_like_backtrace(rx: Running, target: str) -> None:
    r = httpx.post(rx.url + target, content=BT_JSON, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.json()["response"] == "ok" and len(r.json()["_rxid"]) == 36
    (record,) = rx.wait_records(1)
    assert (record.api, record.format, record.kind) == ("backtrace", "backtrace", "error object")
    assert record.exception.startswith("TypeError")
    # the token (query or path) is replaced in the stored request line and in the record's target
    clean = target.replace(BT_TOKEN, redaction_placeholder(len(BT_TOKEN)))
    assert record.target == clean and record.redacted[0]["last4"] == BT_TOKEN[-4:]
    stored = rx.store.read_raw(record.id)
    assert stored.startswith(f"POST {clean} HTTP/1.1\r\n".encode()) and stored.endswith(BT_JSON)
    assert BT_TOKEN.encode() not in stored and BT_TOKEN not in rx.store.meta_path(record.id).read_text()


def test_backtrace_attachment_upload_answers_with_object(rx: Running) -> None:
    r = httpx.post(f"{rx.url}/post?format=json&token={BT_TOKEN}&object=ce000000&attachment_name=log.txt", content=b"x")
    assert r.json() == {
        "response": "ok",
        "_rxid": "ce000000",
        "attachment_name": "log.txt",
        "attachment_id": "1",
        "object": "ce000000",
    }


@pytest.mark.parametrize(
    ("target", "headers", "body", "status", "expect"),
    [
        ("/post?format=json", {}, BT_JSON, 403, "token"),
        (f"/post?token={BT_TOKEN}", {}, BT_JSON, 503, "format"),
        (f"/post?format=json&token={BT_TOKEN}", {}, b"{not json", 400, "malformed"),
        ("/api/1/item/", {}, RB_JSON.replace(b'"access_token"', b'"x"'), 401, "access token"),
        ("/api/1/item/", {"X-Rollbar-Access-Token": RB_TOKEN}, b"<html>", 400, "malformed"),
        ("/logs?api-version=1.0.0", {"Install-ID": "i"}, AC_JSON, 401, "App-Secret"),
        ("/logs", {"App-Secret": "s", "Install-ID": "i"}, AC_JSON, 400, "api-version"),
        ("/api/item/", {}, RB_JSON, 404, "must end with '/'"),
        ("/nowhere", {}, b"{}", 404, "unknown path"),
    ],
)
def test_error_statuses(rx: Running, target: str, headers: dict, body: bytes, status: int, expect: str) -> None:
    r = httpx.post(rx.url + target, content=body, headers=headers)
    assert r.status_code == status
    assert expect in r.text
    if target.startswith("/api/1/"):
        assert r.json()["err"] == 1
    (record,) = rx.wait_records(1)
    assert record.status == status and expect in record.note
    # refused requests are stored too (a body token is taken out whatever the path: no secret on disk)
    known = b'"access_token"' in body or RB_TOKEN in headers.values()
    assert rx.store.read_raw(record.id).endswith(without_secrets(body, [RB_TOKEN] if known else []))


def test_rollbar_form_payload_and_token_in_body(rx: Running) -> None:
    r = httpx.post(rx.url + "/api/1/item/", data={"payload": RB_JSON.decode()})
    assert r.status_code == 200
    doc = json.loads(RB_JSON)
    assert r.json() == {"err": 0, "result": {"id": None, "uuid": doc["data"]["uuid"]}}
    (record,) = rx.wait_records(1)
    assert record.kind == "trace_chain" and record.errors == 0


def test_appcenter_gzip_body_is_kept_compressed_and_query_key_is_case_insensitive(rx: Running) -> None:
    packed = gzip.compress(AC_JSON)
    assert len(AC_JSON) >= 1400  # the size from which the Android and Apple SDKs gzip
    headers = {
        "App-Secret": "00000000-0000-4000-8000-000000000000",
        "Install-ID": "1",
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    r = httpx.post(rx.url + "/logs?API-VERSION=1.0.0", content=packed, headers=headers)
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    assert record.size == len(packed)
    assert rx.store.read_raw(record.id).endswith(packed)  # no secret inside: the gzip body is stored as received
    sub = load_bytes(rx.store.read_raw(record.id))
    assert "gzip" in sub.envelope.layers and sub.kind == record.kind == load_bytes(AC_JSON).kind
    secret = headers["App-Secret"]
    assert f"App-Secret: {redaction_placeholder(len(secret))}\r\n".encode() in rx.store.read_raw(record.id)
    assert secret.encode() not in rx.store.read_raw(record.id) and not record.body_recompressed
    assert record.redacted == [{"name": "App-Secret header", "last4": secret[-4:]}]
    secret_notes = [p for p in validate(sub) if p.pointer == "/@http/headers/App-Secret"]
    assert [p.severity for p in secret_notes] == [Severity.INFO] and "redacted by the receiver" in str(secret_notes)


def test_rollbar_gzip_body_token_is_redacted_and_recompressed(rx: Running) -> None:
    """A gzip body holding a secret is redacted and gzip-compressed again; Content-Length follows the new size."""
    packed = gzip.compress(RB_JSON)
    sent = http_request("/api/1/item/", packed, [("Content-Type", "application/json"), ("Content-Encoding", "gzip")])
    assert status_of(raw_exchange(rx.port, sent)) == 200
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    head, body = stored.split(b"\r\n\r\n", 1)
    assert gzip.decompress(body) == without_secrets(RB_JSON, [RB_TOKEN])  # every other byte as sent
    assert f"Content-Length: {len(body)}".encode() in head and b"Content-Encoding: gzip" in head
    assert head == sent.split(b"\r\n\r\n", 1)[0].replace(str(len(packed)).encode(), str(len(body)).encode())
    assert record.body_recompressed and record.redacted == [{"name": "access_token (body)", "last4": "1111"}]
    again, direct = load_bytes(stored), load_bytes(RB_JSON)
    assert "gzip" in again.envelope.layers and (again.format, again.kind) == (direct.format, direct.kind)
    assert reports(again)[0].counts() == reports(direct)[0].counts()
    assert all(p.severity is not Severity.ERROR for p in validate(again))


def test_rollbar_chunked_body_token_keeps_the_chunk_framing(rx: Running) -> None:
    sent = http_request("/api/1/item/", chunked(RB_JSON, 300), [("Transfer-Encoding", "chunked")])
    assert status_of(raw_exchange(rx.port, sent)) == 200
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    expected = without_secrets(RB_JSON, [RB_TOKEN])
    assert stored.endswith(f"\r\n\r\n{len(RB_JSON):x}\r\n".encode() + expected + b"\r\n0\r\n\r\n")
    assert RB_TOKEN.encode() not in stored and load_bytes(stored).kind == load_bytes(RB_JSON).kind


def test_rollbar_form_body_and_a_token_echoed_in_the_message_are_redacted(rx: Running) -> None:
    doc = json.loads(RB_JSON)
    doc["data"]["body"]["trace_chain"][0]["exception"]["message"] = f"bad token {RB_TOKEN}"
    form = urlencode({"payload": json.dumps(doc)}).encode()
    r = httpx.post(rx.url + "/api/1/item/", content=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    assert stored.endswith(without_secrets(form, [RB_TOKEN])) and RB_TOKEN.encode() not in stored
    assert load_bytes(stored).kind == record.kind == "trace_chain"
    meta = rx.store.meta_path(record.id).read_text()
    assert RB_TOKEN not in meta and record.redacted == [{"name": "access_token (body)", "last4": "1111"}]
    assert "bad token " + redaction_placeholder(32) in record.exception  # the record's texts are scrubbed too


def _multipart(boundary: str, parts: list[tuple[str, str | None, bytes]], closing: bytes) -> bytes:
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f';filename="{filename}"' if filename else "")
        out += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + closing


def test_android_star_boundary_chunked_multipart(rx: Running) -> None:
    body = _multipart(
        "*****", [("upload_file", "upload_file", BT_JSON), ("attachment_log.txt", "log.txt", b"hi\n")], b"--*****--\r\n"
    )
    headers = [
        ("Content-Type", "multipart/form-data;boundary=*****"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "Keep-Alive"),
    ]
    response = raw_exchange(rx.port, http_request(f"/post?format=json&token={BT_TOKEN}", chunked(body, 1000), headers))
    assert status_of(response) == 200
    (record,) = rx.wait_records(1)
    sub = load_bytes(rx.store.read_raw(record.id))
    assert sub.kind == "error object" and [a.name for a in sub.attachments] == ["attachment_log.txt"]


def test_cocoa_malformed_closing_boundary_and_attachment_dot_name(rx: Running) -> None:
    boundary = "Boundary-5C1F2A3E-0000-4000-8000-000000000000"
    body = _multipart(
        boundary,
        [("application", None, b"app"), ("upload_file", "upload_file", BT_JSON), ("attachment.json", "a.json", b"{}")],
        f"--{boundary}\r\n--".encode(),
    )
    r = httpx.post(
        f"{rx.url}/post?format=json&token={BT_TOKEN}",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    sub = load_bytes(rx.store.read_raw(record.id))
    assert sub.kind == "error object" and ("application", "app") in sub.envelope.fields
    assert "attachment.json" in [a.name for a in sub.attachments]


def test_crashpad_style_gzip_multipart_minidump(rx: Running) -> None:
    dump = (CORPUS / "minidump" / "rust-minidump_simple-crashpad.dmp").read_bytes()
    body = _multipart(
        "----crashpad",
        [("prod", None, b"app"), ("ver", None, b"1.0"), ("upload_file_minidump", "0f.dmp", dump)],
        b"------crashpad--\r\n",
    )
    packed = gzip.compress(body)
    r = httpx.post(
        f"{rx.url}/post?format=minidump&token={BT_TOKEN}",
        content=packed,
        headers={"Content-Type": "multipart/form-data; boundary=----crashpad", "Content-Encoding": "gzip"},
    )
    assert r.status_code == 200 and r.json()["response"] == "ok"
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    assert stored.endswith(packed) and record.size == len(packed)
    assert (record.format, record.errors) == ("minidump", 0) and record.exception
    from inspector.formats.envelope import decode

    env = decode(stored)
    assert env.layers == ["http", "gzip", "multipart"] and env.body == dump


# ----------------------------------------------------------------------------------------------- strict mode


INVALID_ROLLBAR = json.dumps({"access_token": RB_TOKEN, "data": {"environment": "x", "body": {}}}).encode()


def test_default_mode_accepts_invalid_payloads_and_records_problems(rx: Running) -> None:
    r = httpx.post(rx.url + "/api/1/item/", content=INVALID_ROLLBAR)
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    assert record.errors >= 1 and any(p["severity"] == "error" for p in record.problems)


def test_strict_mode_rejects_like_the_vendor(start) -> None:
    rx = start(strict=True)
    r = httpx.post(rx.url + "/api/1/item/", content=INVALID_ROLLBAR)
    assert r.status_code == 422 and r.json()["err"] == 1
    assert "/data/body" in r.json()["message"]
    bad_bt = json.dumps({"uuid": "nope", "timestamp": "x", "lang": 3}).encode()
    r = httpx.post(f"{rx.url}/post?format=json&token={BT_TOKEN}", content=bad_bt)
    assert r.status_code == 400 and "invalid payload" in r.json()["error"]["message"]
    r = httpx.post(f"{rx.url}/post?format=json&token={BT_TOKEN}", content=BT_JSON)
    assert r.status_code == 200  # valid payloads still pass
    assert [rec.status for rec in rx.wait_records(3)] == [422, 400, 200]


# ----------------------------------------------------------------------------------------------- safety


def test_too_large_by_content_length_is_refused_before_the_body_is_sent(start) -> None:
    rx = start(max_body=1000)
    head = http_request("/api/1/item/", b"", [("Content-Length", "5000000"), ("X-Rollbar-Access-Token", RB_TOKEN)])
    with socket.create_connection((HOST, rx.port), timeout=5) as sock:
        sock.sendall(head)  # no body at all: the answer must come anyway
        response = read_response(sock)
        assert status_of(response) == 413 and json.loads(body_of(response))["err"] == 1
        assert sock.recv(10) == b""  # and the connection is closed (the unread body cannot be skipped)
    (record,) = rx.wait_records(1)
    assert record.status == 413 and not record.body_stored and record.size == 5000000


def test_too_large_chunked_stream_is_cut_at_the_cap(start) -> None:
    rx = start(max_body=1000)
    head = http_request(f"/post?format=json&token={BT_TOKEN}", b"", [("Transfer-Encoding", "chunked")])
    with socket.create_connection((HOST, rx.port), timeout=5) as sock:
        sock.sendall(head + b"258\r\n" + b"x" * 600 + b"\r\n" + b"258\r\n" + b"x" * 600 + b"\r\n")
        assert status_of(read_response(sock)) == 413
    assert rx.wait_records(1)[0].status == 413


def test_slow_head_is_dropped_after_the_header_timeout(start) -> None:
    rx = start(header_timeout=0.5)
    with socket.create_connection((HOST, rx.port), timeout=10) as sock:
        sock.sendall(b"POST /api/1/item/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert sock.recv(100) == b""  # dropped (the socket's own 10 s timeout would raise instead)
    assert rx.records == []


def test_slow_body_gets_408(start) -> None:
    rx = start(read_timeout=0.3)
    with socket.create_connection((HOST, rx.port), timeout=10) as sock:
        sock.sendall(http_request("/api/1/item/", b"", [("Content-Length", "100")]) + b'{"data"')
        response = read_response(sock)
    assert status_of(response) == 408
    assert rx.wait_records(1)[0].status == 408


def test_graceful_stop_finishes_and_stores_the_request_in_flight(rx: Running) -> None:
    sent = http_request("/api/1/item/", RB_JSON, [("Content-Type", "application/json")])
    half = len(sent) - len(RB_JSON) // 2
    with socket.create_connection((HOST, rx.port), timeout=10) as sock:
        sock.sendall(sent[:half])
        deadline = time.monotonic() + 5
        while rx.thread.receiver.in_flight == 0:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        stopper = threading.Thread(target=rx.thread.stop)
        stopper.start()
        with pytest.raises(OSError):  # stopped listening...
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                socket.create_connection((HOST, rx.port), timeout=1).close()
                time.sleep(0.02)
        assert stopper.is_alive()  # ...but waits for us
        sock.sendall(sent[half:])
        assert status_of(read_response(sock)) == 200
    stopper.join(10)
    assert not stopper.is_alive()
    reloaded = CaptureStore(rx.store.root).load()
    assert [r.status for r in reloaded] == [200]
    assert_stored_without_secrets(rx.store.read_raw(reloaded[0].id), sent, [RB_TOKEN])


def test_many_concurrent_requests_are_all_stored_with_bounded_concurrency(start) -> None:
    rx = start(max_concurrency=3)
    results: list[int] = []

    def send() -> None:
        results.append(status_of(raw_exchange(rx.port, http_request("/api/1/item/", RB_JSON, []))))

    threads = [threading.Thread(target=send) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 24
    assert len(rx.wait_records(24)) == 24 == len(CaptureStore(rx.store.root).load())


def test_get_root_says_what_it_is_and_other_methods_are_refused(rx: Running) -> None:
    assert httpx.get(rx.url + "/").json()["service"] == "crash-inspector receiver"
    assert httpx.delete(rx.url + "/api/1/item/").status_code == 405


def test_loopback_detection_and_warning() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("127.5.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("::")
    assert exposure_warning("127.0.0.1") is None
    assert "0.0.0.0" in (exposure_warning("0.0.0.0") or "")


def test_route_table() -> None:
    assert route("POST", "/U/T/minidump").format == "minidump"
    assert route("POST", "/U/T/unknown").api == "unknown"
    assert route("POST", "/logs?Api-Version=1.0.0", {"app-secret": "s"}).format == "1.0.0"
    assert route("POST", "/api/1/item/", {"x-rollbar-access-token": "t"}).token == "t"


def test_the_receiver_asks_the_format_instead_of_comparing_vendor_names() -> None:
    """Every API the routes name declares its paths and what its endpoint checks and answers; no receiver module
    compares an API name with a vendor's or spells one (issue 19: nothing outside ``formats/`` branches on the
    vendor)."""
    import re

    from inspector.formats import FORMAT_NAMES, capabilities

    apis = {route("POST", t).api for t in ("/api/1/item/", "/logs", "/post", "/U/T/json", "/nowhere")} - {"unknown"}
    assert apis == {"rollbar", "backtrace", "appcenter"}
    assert all(capabilities(api).receiving is not None for api in apis)
    names = "|".join(FORMAT_NAMES)
    switch = re.compile(rf"""["']({names})["']""")
    sources = sorted((Path(__file__).parents[2] / "inspector" / "net").glob("receiver*.py"))
    assert len(sources) >= 8
    found = [
        f"{p.name}:{n}" for p in sources for n, line in enumerate(p.read_text().splitlines(), 1) if switch.search(line)
    ]
    assert found == []


# ----------------------------------------------------------------------------------------------- the command


def test_receive_command_prints_port_and_one_line_per_request_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "inspector", "receive", "--port", "0", "--store", str(tmp_path / "s"), "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), first + proc.stderr.read()
        url = first.split()[-1]
        assert httpx.post(url + "/api/1/item/", content=RB_JSON).status_code == 200
        line = json.loads(proc.stdout.readline())
        assert (line["api"], line["kind"], line["status"], line["errors"]) == ("rollbar", "trace_chain", 200, 0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
        assert "stopped after 1 request" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(CaptureStore(tmp_path / "s").load()) == 1


def test_receive_command_reports_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind((HOST, 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "inspector", "receive", "--port", str(port), "--store", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert proc.returncode == 2 and "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


def test_a_capture_whose_record_was_lost_is_described_again_on_load(tmp_path: Path) -> None:
    from inspector.net.receiver import describe_capture
    from inspector.net.store import write_atomic

    store = CaptureStore(tmp_path, describe=describe_capture)
    sent = REQUEST_FILES[0].read_bytes()
    write_atomic(store.raw_path(store.new_id()), sent)  # killed between the two writes
    (record,) = store.load()
    assert record.recovered and (record.api, record.format, record.kind) == ("backtrace", "backtrace", "error object")
    assert record.exception and record.errors == 0


# ----------------------------------------------------------------------------------------------- deferred validation


def _same_record(a: CaptureRecord, b: CaptureRecord) -> dict:
    skip = {"id", "time", "client"}
    return {k: v for k, v in a.as_dict().items() if k not in skip} | {
        "_other": {k: v for k, v in b.as_dict().items() if k not in skip}
    }


def test_deferred_validation_stores_the_same_record_after_answering_first(start) -> None:
    """``defer_min=0``: answered once stored as pending, then the record is rewritten with what the inline path
    stores; ``on_capture`` sees only the finished record, ``on_pending`` the pending one first."""
    inline_rx, deferred_rx = start(), start(defer_min=0)
    pending: list[CaptureRecord] = []
    deferred_rx.thread.receiver.on_pending = pending.append
    for rx in (inline_rx, deferred_rx):
        r = httpx.post(rx.url + "/api/1/item/", content=INVALID_ROLLBAR)
        assert r.status_code == 200 and r.json()["result"]["uuid"]
        r = httpx.post(f"{rx.url}/post?format=json&token={BT_TOKEN}", content=BT_JSON)
        assert r.status_code == 200
    inline, deferred = inline_rx.wait_records(2), deferred_rx.wait_records(2)
    assert [p.pending for p in pending] == [True, True] and [p.errors for p in pending] == [0, 0]
    for a, b in zip(inline, deferred, strict=True):
        assert not b.pending and b.errors == a.errors and b.exception == a.exception
        same = _same_record(a, b)
        other = same.pop("_other")
        assert same == other
        on_disk = json.loads(deferred_rx.store.meta_path(b.id).read_bytes())
        assert on_disk["pending"] is False and on_disk["problems"] == b.problems
        assert RB_TOKEN not in json.dumps(on_disk) and BT_TOKEN not in json.dumps(on_disk)
    assert inline[0].errors >= 1  # INVALID_ROLLBAR: the problems did make it into the deferred record too


def test_stop_finishes_pending_validations(start) -> None:
    rx = start(defer_min=0)
    for _ in range(10):
        assert httpx.post(rx.url + "/api/1/item/", content=RB_JSON).status_code == 200
    rx.thread.stop()
    records = CaptureStore(rx.store.root).load()  # no describe: nothing is finished by this load
    assert len(records) == 10 and not any(r.pending for r in records)
    assert all(r.kind == "trace_chain" for r in records)


def test_pending_record_left_by_a_killed_receiver_is_finished_on_load_and_on_start(tmp_path: Path) -> None:
    from inspector.net.receiver import describe_capture
    from inspector.net.store import record_bytes, write_batch

    store = CaptureStore(tmp_path)
    body = RB_JSON.replace(RB_TOKEN.encode(), redaction_placeholder(len(RB_TOKEN)).encode())
    raw = f"POST /api/1/item/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body

    def left_pending() -> CaptureRecord:
        rec = CaptureRecord(
            id=store.new_id(),
            time=time.time(),
            api="rollbar",
            method="POST",
            target="/api/1/item/",
            client="127.0.0.1:1",
            size=len(body),
            status=200,
            format="rollbar",
            kind="trace_chain",
            pending=True,
            redacted=[{"name": "access_token (body)", "last4": "1111"}],
        )
        write_batch([(store.raw_path(rec.id), raw), (store.meta_path(rec.id), record_bytes(rec))])
        return rec

    first = left_pending()
    assert [r.pending for r in CaptureStore(tmp_path).load()] == [True]  # listed, unfinished, without describe
    (done,) = CaptureStore(tmp_path, describe=describe_capture).load()
    assert not done.pending and done.id == first.id and done.exception and done.errors == 0
    assert (done.status, done.client, done.redacted) == (200, "127.0.0.1:1", first.redacted)  # kept as answered
    assert json.loads(store.meta_path(first.id).read_bytes())["pending"] is False  # rewritten on disk
    second = left_pending()
    rx = ReceiverThread(CaptureStore(tmp_path), ReceiverConfig(host=HOST, port=0))
    rx.start()
    try:
        deadline = time.monotonic() + 10
        while json.loads(store.meta_path(second.id).read_bytes())["pending"] and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        rx.stop()
    again = {r.id: r for r in CaptureStore(tmp_path).load()}
    assert not again[second.id].pending and again[second.id].exception == done.exception
    # A starting receiver finishes only what was left before it started; its own captures are its second
    # stage's (finishing them twice raced with it).
    third = left_pending()
    assert store.finish_pending(describe_capture, older_than=third.time) == 0
    assert json.loads(store.meta_path(third.id).read_bytes())["pending"] is True
    assert store.finish_pending(describe_capture, older_than=third.time + 1) == 1
    assert json.loads(store.meta_path(third.id).read_bytes())["pending"] is False


def test_a_batch_of_concurrent_captures_is_written_with_few_folder_fsyncs(start) -> None:
    rx = start(max_concurrency=32)
    results: list[int] = []

    def send() -> None:
        with httpx.Client() as client:
            for _ in range(5):
                results.append(client.post(rx.url + "/api/1/item/", content=RB_JSON).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [200] * 40
    assert len(rx.wait_records(40)) == 40 == len(CaptureStore(rx.store.root).load())
    writer = rx.thread.receiver._writer
    assert writer is not None and writer.items == 40 and writer.batches <= 40
