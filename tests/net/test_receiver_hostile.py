"""The receiver under attack (issue 15's audit, in the suite): secrets in every encoding, bombs, slow bodies, lies
in Content-Length, a bad header line, 1 000 concurrent posts, symbol uploads. Real servers on 127.0.0.1 (the
receiver on its thread, or ``crash-inspector receive`` in a subprocess where memory or stderr is measured), raw
sockets. Bounded in count and bytes; no wall-clock assertions (socket timeouts only guard against hangs)."""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector.formats import load_bytes
from inspector.net.receiver import ReceiverConfig
from inspector.net.store import CaptureRecord, CaptureStore
from tests.net.test_receiver import (
    BT_JSON,
    BT_TOKEN,
    HOST,
    RB_JSON,
    RB_TOKEN,
    Running,
    http_request,
    raw_exchange,
    read_response,
    status_of,
)

OTHER = "zzzzyyyyxxxxwwwwvvvvuuuu99998888"  # a second secret, only ever sent in an escaped spelling


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


def no_secret_on_disk(root: Path, *secrets: str) -> None:
    """No file under ``root`` (inbox, journal, archives, leftovers) holds a secret, raw or in any gzip/zlib stream."""
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, "nothing stored: the check would prove nothing"
    for path in files:
        data = path.read_bytes()
        views = [data]
        for match in re.finditer(rb"\x1f\x8b|\x78[\x01\x5e\x9c\xda]", data):  # every embedded compressed stream
            try:
                views.append(zlib.decompressobj(47).decompress(data[match.start() :], 64 * 1024 * 1024))
            except zlib.error:
                continue
        for view in views:
            for secret in secrets:
                assert secret.encode() not in view, f"{secret[:4]}… in {path.name}"


def rollbar_with(**extra: object) -> bytes:
    doc = json.loads(RB_JSON)
    doc.update(extra)
    return json.dumps(doc).encode()


# ----------------------------------------------------------------------------------------------- item 1: secrets


def test_deflate_body_token_is_redacted_and_recompressed(start) -> None:
    rx = start()
    packed = zlib.compress(RB_JSON)
    sent = http_request("/api/1/item/", packed, [("Content-Type", "application/json"), ("Content-Encoding", "deflate")])
    assert status_of(raw_exchange(rx.port, sent)) == 200
    (record,) = rx.wait_records(1)
    stored = rx.store.read_raw(record.id)
    assert record.body_recompressed and record.redacted == [{"name": "access_token (body)", "last4": "1111"}]
    assert zlib.decompress(stored.split(b"\r\n\r\n", 1)[1]) == RB_JSON.replace(
        RB_TOKEN.encode(), b"REDACTED" + b"x" * 24
    )
    assert load_bytes(stored).kind == record.kind == "trace_chain"
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, RB_TOKEN)


def test_escaped_key_and_escaped_value_spellings_are_redacted(start) -> None:
    rx = start()
    escaped_other = "".join(f"\\u{ord(c):04x}" for c in OTHER)
    body = RB_JSON.replace(b'"access_token"', b'"access\\u005ftoken"')
    body = body.replace(RB_TOKEN.encode(), escaped_other.encode())  # the token itself only \u-escaped
    body = body[:-1] + f', "echo": "{RB_TOKEN[:4]}\\u{ord(RB_TOKEN[4]):04x}{RB_TOKEN[5:]}"}}'.encode()
    assert json.loads(body)["access_token"] == OTHER
    r = httpx.post(rx.url + "/api/1/item/", content=body, headers={"X-Rollbar-Access-Token": RB_TOKEN})
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    stored = load_bytes(rx.store.read_raw(record.id))
    value = stored.document.value
    assert value["access_token"] == "REDACTED" + "x" * (len(escaped_other) - 8)  # the whole spelling replaced
    assert RB_TOKEN not in value["echo"] and value["echo"].startswith("REDACTED")
    assert {e["name"] for e in record.redacted} == {"X-Rollbar-Access-Token header", "access_token (body)"}
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, RB_TOKEN, OTHER)


def test_gzipped_multipart_part_holding_tokens_is_redacted(start) -> None:
    rx = start()
    inner = json.dumps({"access_token": OTHER, "url": f"/u/{BT_TOKEN}/json"}).encode()
    boundary = "xYzZY"
    body = (
        (f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="e.json"\r\n\r\n').encode()
        + BT_JSON
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="attachment.json"; filename="a.json"\r\n'
            "Content-Encoding: gzip\r\n\r\n"
        ).encode()
        + gzip.compress(inner)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = httpx.post(
        f"{rx.url}/post?format=json&token={BT_TOKEN}",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 200
    (record,) = rx.wait_records(1)
    sub = load_bytes(rx.store.read_raw(record.id))
    (attachment,) = [a for a in sub.attachments if a.name == "attachment.json"]
    assert json.loads(attachment.data)["access_token"].startswith("REDACTED")
    assert sub.kind == "error object" and record.body_recompressed is False  # the outer body was not encoded
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, BT_TOKEN, OTHER)


def test_gzip_body_inflating_past_the_cap_is_refused_and_not_stored(start) -> None:
    rx = start(max_body=64 * 1024)
    body = rollbar_with(padding="p" * 200_000)
    packed = gzip.compress(body)
    assert len(packed) < 64 * 1024 < len(body)
    sent = http_request("/api/1/item/", packed, [("Content-Encoding", "gzip"), ("X-Rollbar-Access-Token", RB_TOKEN)])
    response = raw_exchange(rx.port, sent)
    assert status_of(response) == 413 and b"inflates beyond" in response
    (record,) = rx.wait_records(1)
    assert record.status == 413 and not record.body_stored
    assert rx.store.read_raw(record.id).endswith(b"\r\n\r\n")  # the head alone
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, RB_TOKEN)


@pytest.mark.parametrize(
    "encoding, data", [("br", b"not brotli " + RB_TOKEN.encode()), ("gzip", gzip.compress(RB_JSON)[:-40])]
)
def test_a_body_that_cannot_be_decoded_is_stored_without_it(start, encoding: str, data: bytes) -> None:
    rx = start()
    sent = http_request(f"/post?format=minidump&token={BT_TOKEN}", data, [("Content-Encoding", encoding)])
    assert status_of(raw_exchange(rx.port, sent)) in (200, 400)
    (record,) = rx.wait_records(1)
    assert not record.body_stored and record.removed and "body not stored" in record.removed[0]
    assert "body not stored" in record.note
    head, _, body = rx.store.read_raw(record.id).partition(b"\r\n\r\n")
    assert body == b"" and b"Content-Length: 0" in head
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, BT_TOKEN, RB_TOKEN)


def test_a_multipart_part_that_cannot_be_decoded_is_dropped_and_said(start) -> None:
    rx = start()
    boundary = "b0und"
    broken = gzip.compress(json.dumps({"access_token": OTHER}).encode())[:-30]
    body = (
        (f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"\r\n\r\n').encode()
        + BT_JSON
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="attachment.json"\r\nContent-Encoding: gzip'
            "\r\n\r\n"
        ).encode()
        + broken
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = httpx.post(
        f"{rx.url}/post?format=json&token={BT_TOKEN}",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 400  # the format core cannot read the request as sent: Backtrace's answer
    (record,) = rx.wait_records(1)
    assert record.removed == ["multipart part 'attachment.json' not stored: its gzip data is truncated"]
    assert load_bytes(rx.store.read_raw(record.id)).kind == "error object"
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, BT_TOKEN, OTHER)


# ----------------------------------------------------------------------------------------------- item 2: memory


def _bomb(inflated: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    return b"".join(packer.compress(zeros) for _ in range(inflated >> 20)) + packer.flush()


def _peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]


class Cli:
    """``crash-inspector receive`` in a subprocess (stderr and peak RSS are the process's own)."""

    def __init__(self, store: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        cmd = [sys.executable, "-m", "inspector", "receive", "--port", "0", "--store", str(store), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().decode()
        assert first.startswith("listening on http://127.0.0.1:"), first
        self.url = first.split()[-1]
        self.port = int(self.url.rsplit(":", 1)[1])
        self._lines: list[bytes] = []
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.append(line)

    def stop(self) -> str:
        """SIGTERM, wait (bounded), then stderr (a few lines: it cannot fill the pipe meanwhile)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._drainer.join(10)
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode("utf-8", "replace")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS read from /proc")
def test_a_gzip_bomb_is_cut_at_the_body_cap_with_bounded_memory(tmp_path: Path) -> None:
    """256 MB of zeros in 250 KB: the old receiver inflated up to 1 GB whatever --max-body said."""
    cli = Cli(tmp_path / "s", "--max-body", str(1 << 20))
    try:
        bomb = _bomb(256 << 20)
        before = _peak_rss_kb(cli.proc.pid)
        r = httpx.post(
            cli.url + "/api/1/item/",
            content=bomb,
            timeout=60,
            headers={"Content-Encoding": "gzip", "X-Rollbar-Access-Token": RB_TOKEN},
        )
        assert r.status_code == 413 and "inflates beyond" in r.text
        ok = httpx.post(cli.url + "/api/1/item/", content=RB_JSON, timeout=60)  # and it still serves
        assert ok.status_code == 200
        grew_mb = (_peak_rss_kb(cli.proc.pid) - before) / 1024
        assert grew_mb < 48, f"peak RSS grew {grew_mb:.0f} MB for a body capped at 1 MB"
    finally:
        cli.stop()


def test_concurrent_bodies_stay_within_the_memory_budget_and_all_are_stored(start) -> None:
    rx = start(max_body=1 << 20, memory_limit=3 << 20)
    body = rollbar_with(padding="q" * 900_000)

    async def post_all() -> list[int]:
        async with httpx.AsyncClient(timeout=60) as client:
            replies = await asyncio.gather(*(client.post(rx.url + "/api/1/item/", content=body) for _ in range(12)))
        return [r.status_code for r in replies]

    assert asyncio.run(post_all()) == [200] * 12
    assert len(rx.wait_records(12, timeout=60)) == 12
    budget = rx.thread.receiver.budget
    assert budget is not None and 0 < budget.peak <= budget.limit == 3 << 20 and budget.used == 0


# ----------------------------------------------------------------------------------------------- item 4: slowloris


def test_slow_bodies_do_not_lock_out_valid_posts(start) -> None:
    """20 connections trickling a byte at a time hold no processing slot (4 here): valid posts are answered
    during the attack, and the trickles are cut off with 408 by the minimum-rate rule."""
    rx = start(max_concurrency=4, min_body_rate=512.0, rate_grace=1.0, read_timeout=30.0)
    attackers = []
    head = http_request("/api/1/item/", b"", [("Content-Length", "100000")])
    for _ in range(20):
        sock = socket.create_connection((HOST, rx.port), timeout=30)
        sock.sendall(head + b"{")
        attackers.append(sock)
    answered = []
    for i in range(10):
        answered.append(httpx.post(rx.url + "/api/1/item/", content=rollbar_with(n=i), timeout=30).status_code)
        for sock in attackers:
            try:
                sock.send(b" ")
            except OSError:
                pass
    assert answered == [200] * 10
    statuses = []
    for sock in attackers:
        with sock:
            try:
                for _ in range(200):  # bounded: the receiver cuts the trickle long before
                    sock.send(b" ")
                    time.sleep(0.02)
            except OSError:
                pass
            reply = read_response(sock)
            statuses.append(status_of(reply) if reply else 0)
    assert set(statuses) <= {408, 0} and statuses.count(408) >= 1
    records = rx.wait_records(10 + statuses.count(408))
    assert sum(r.status == 200 for r in records) == 10


# ----------------------------------------------------------------------------------------------- lies and bad heads


def test_lies_in_content_length_and_bad_framing_never_break_the_receiver(start) -> None:
    rx = start(read_timeout=2.0, rate_grace=1.0)
    short = http_request("/api/1/item/", RB_JSON[:100], [("Content-Length", str(len(RB_JSON)))])
    with socket.create_connection((HOST, rx.port), timeout=30) as sock:
        sock.sendall(short)
        sock.shutdown(socket.SHUT_WR)  # claims more than it sends, then stops
        read_response(sock)
    longer = http_request(
        "/api/1/item/", RB_JSON + b"GARBAGE / HTTP/9\r\n\r\n", [("Content-Length", str(len(RB_JSON)))]
    )
    # the extra bytes are a (bad) next request: aiohttp may refuse the whole packet; either way one clean answer
    assert status_of(raw_exchange(rx.port, longer)) in (200, 400)
    for bad in (b"-5", b"12x", b"99999999999999999999999"):
        reply = raw_exchange(rx.port, b"POST /api/1/item/ HTTP/1.1\r\nContent-Length: " + bad + b"\r\n\r\n{}")
        assert status_of(reply) in (400, 413)
    assert httpx.post(rx.url + "/api/1/item/", content=RB_JSON).status_code == 200


def test_a_bad_header_line_is_logged_without_its_value(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "s")
    try:
        for bad in (f"X-Rollbar-Access-Token: {RB_TOKEN}\x01\r\n", f"Broken {RB_TOKEN} line\r\n"):
            data = f"POST /api/1/item/ HTTP/1.1\r\nHost: x\r\n{bad}Content-Length: 2\r\n\r\n{{}}".encode("latin-1")
            assert status_of(raw_exchange(cli.port, data)) == 400
    finally:
        err = cli.stop()
    assert RB_TOKEN not in err and "Traceback" not in err
    assert "values are not logged" in err  # one line per bad request says what happened


# ----------------------------------------------------------------------------------------------- 1 000 at once


def test_a_thousand_concurrent_posts_are_all_answered_and_stored(start) -> None:
    rx = start(max_concurrency=64)
    count = 1000

    async def one(i: int) -> tuple[int, str]:
        body = rollbar_with(marker=f"m{i:04d}")
        reader, writer = await asyncio.open_connection(HOST, rx.port)
        writer.write(http_request("/api/1/item/", body, [("X-Rollbar-Access-Token", RB_TOKEN)]))
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        writer.close()
        return int(head.split(b" ", 2)[1]), f"m{i:04d}"

    async def all_of_them() -> list[tuple[int, str]]:
        results = []
        for start_at in range(0, count, 500):  # 500 sockets open at once at most (a CI's file limit)
            results += await asyncio.gather(*(one(i) for i in range(start_at, min(count, start_at + 500))))
        return results

    results = asyncio.run(all_of_them())
    assert [status for status, _ in results] == [200] * count
    rx.wait_records(count, timeout=120)
    rx.thread.stop()
    store = CaptureStore(rx.store.root)
    markers = {load_bytes(store.read_raw(r.id)).document.value["marker"] for r in store.load()}
    assert markers == {m for _, m in results}
    assert not list((rx.store.root / ".journal").glob("*.wal"))  # everything indexed, the journal emptied
    no_secret_on_disk(rx.store.root, RB_TOKEN)


# ----------------------------------------------------------------------------------------------- kill -9


def test_sigkill_leaves_every_answered_capture_in_the_journal_or_the_inbox(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "s")
    answered = []
    try:
        with httpx.Client(timeout=30) as client:
            for i in range(60):
                r = client.post(
                    cli.url + "/api/1/item/",
                    content=rollbar_with(marker=f"k{i}"),
                    headers={"X-Rollbar-Access-Token": RB_TOKEN},
                )
                if r.status_code == 200:
                    answered.append(f"k{i}")
    finally:
        os.kill(cli.proc.pid, signal.SIGKILL)
        cli.proc.wait()
    assert len(answered) == 60
    for _ in range(100):  # the orphaned indexer child notices stdin closing and exits; bounded wait for it
        if not any(
            b"inspector.net.indexer" in p.read_bytes()
            for p in Path("/proc").glob("[0-9]*/cmdline")
            if p.exists() and str(tmp_path).encode() in _safe_read(p)
        ):
            break
        time.sleep(0.05)
    store = CaptureStore(tmp_path / "s")
    records = store.load()
    found = {load_bytes(store.read_raw(r.id)).document.value["marker"] for r in records}
    assert found >= set(answered)
    assert not list((tmp_path / "s" / ".journal").glob("*.wal"))
    no_secret_on_disk(tmp_path / "s", RB_TOKEN)


def _safe_read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


# ----------------------------------------------------------------------------------------------- symbol uploads


def _archive(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("app.sym", b"MODULE Linux x86_64 0123456789ABCDEF0 app\n" + os.urandom(size))
    return buf.getvalue()


def test_symbols_upload_with_expect_100_continue_is_streamed_to_the_inbox(start) -> None:
    rx = start()
    archive = _archive(300_000)
    boundary = "symb0l"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="syms.zip"\r\n'
            "Content-Type: application/zip\r\n\r\n"
        ).encode()
        + archive
        + (
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\nrelease-1.2'
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="tag"\r\n\r\nnightly'
            f"\r\n--{boundary}--\r\n"
        ).encode()
    )
    head = http_request(
        f"/myuniverse/{BT_TOKEN}/symbols",
        b"",
        [
            ("Content-Type", f"multipart/form-data; boundary={boundary}"),
            ("Content-Length", str(len(body))),
            ("Expect", "100-continue"),
        ],
    )
    with socket.create_connection((HOST, rx.port), timeout=30) as sock:
        sock.sendall(head)
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += sock.recv(1)
        assert interim.startswith(b"HTTP/1.1 100 Continue")  # asked before the body is sent
        sock.sendall(body)
        reply = read_response(sock)
    assert status_of(reply) == 200
    answer = json.loads(reply.partition(b"\r\n\r\n")[2])
    assert answer["response"] == "ok" and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-0000-0{12}", answer["_rxid"]
    )
    (record,) = rx.wait_records(1)
    assert (record.api, record.kind, record.tags) == ("backtrace", "symbols", ["release-1.2", "nightly"])
    assert record.archive.endswith(".symbols.zip") and record.archive_size == len(archive)
    assert (rx.store.root / record.archive).read_bytes() == archive
    rx.thread.stop()
    no_secret_on_disk(rx.store.root, BT_TOKEN)


def test_sourcemap_upload_on_prem_form_and_refusals(start) -> None:
    rx = start(max_upload=1 << 20)
    files = {"upload_file": ("app.js.map", b'{"version":3,"sources":[],"mappings":""}', "application/json")}
    r = httpx.post(f"{rx.url}/api/post?format=sourcemap&token={BT_TOKEN}", files=files, data={"tag": "v1"})
    assert r.status_code == 200 and r.json()["response"] == "ok"
    (record,) = rx.wait_records(1)
    assert record.kind == "sourcemap" and record.tags == ["v1"] and record.archive.endswith(".sourcemap.js.map")
    assert httpx.post(f"{rx.url}/api/post?format=symbols&token={BT_TOKEN}", data={"tag": "x"}).status_code == 400
    assert httpx.post(f"{rx.url}/api/post?format=symbols", files=files).status_code == 403
    too_big = http_request(
        f"/u/{BT_TOKEN}/symbols",
        b"",
        [
            ("Content-Type", "multipart/form-data; boundary=b"),
            ("Content-Length", str(2 << 20)),
            ("Expect", "100-continue"),
        ],
    )
    assert status_of(raw_exchange(rx.port, too_big)) == 413  # refused before a byte of the body is sent
    records = rx.wait_records(3)
    assert [r.status for r in records[1:]] == [400, 403]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="peak RSS read from /proc")
def test_a_big_archive_is_never_held_in_memory(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "s", "--max-body", str(1 << 20))
    size = 96 << 20
    boundary = "big"
    prefix = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="big.tar.gz"\r\n\r\n'
    ).encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()
    block = os.urandom(1 << 20)

    def stream() -> Iterator[bytes]:
        yield prefix
        for _ in range(size >> 20):
            yield block
        yield suffix

    try:
        before = _peak_rss_kb(cli.proc.pid)
        r = httpx.post(
            f"{cli.url}/u/{BT_TOKEN}/symbols",
            content=stream(),
            timeout=120,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(prefix) + size + len(suffix)),
            },
        )
        assert r.status_code == 200, r.text
        grew_mb = (_peak_rss_kb(cli.proc.pid) - before) / 1024
    finally:
        cli.stop()
    assert grew_mb < 32, f"peak RSS grew {grew_mb:.0f} MB for a 96 MB archive"
    (record,) = CaptureStore(tmp_path / "s").load()
    stored = tmp_path / "s" / record.archive
    assert stored.stat().st_size == size and record.archive.endswith(".symbols.tar.gz")


def test_capture_record_round_trip_keeps_the_new_fields(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    record = CaptureRecord(
        id=store.new_id(),
        time=1.0,
        api="backtrace",
        method="POST",
        target="/u/x/symbols",
        tags=["a"],
        archive="x.symbols.zip",
        archive_size=3,
        removed=["body not stored: …"],
    )
    assert CaptureRecord.from_dict(json.loads(json.dumps(record.as_dict()))) == record
