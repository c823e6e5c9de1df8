"""The capture store: atomic writes, reload from disk, recovery after a crash (a real SIGKILL mid-write)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.net.store import CaptureRecord, CaptureStore, default_store_dir, write_atomic

RAW = b"POST /api/1/item/ HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"


def record(store: CaptureStore, **kw: object) -> CaptureRecord:
    base = {"id": store.new_id(), "time": time.time(), "api": "rollbar", "method": "POST", "target": "/api/1/item/"}
    base.update(kw)
    return CaptureRecord(**base)  # type: ignore[arg-type]


def test_default_dir_is_under_the_user_data_dir(_isolated_user_dirs: Path) -> None:
    assert default_store_dir() == _isolated_user_dirs / "data" / "crash-inspector" / "inbox"
    assert CaptureStore().root.is_dir()


def test_save_and_reload_in_arrival_order(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    saved = [
        store.save(RAW + bytes([65 + i]), record(store, status=200 + i, problems=[{"severity": "error"}]))
        for i in range(5)
    ]
    again = CaptureStore(tmp_path).load()
    assert [r.id for r in again] == [r.id for r in saved]
    assert again[3].status == 203 and again[3].problems == [{"severity": "error"}]
    assert CaptureStore(tmp_path).read_raw(saved[4].id) == RAW + b"E"
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_ids_are_unique_and_sortable_within_one_timestamp(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    ids = [store.new_id(1795373164.5) for _ in range(200)]
    assert len(set(ids)) == 200 and ids == sorted(ids)
    assert store.new_id(1795373165.0) > ids[-1]


def test_raw_without_record_is_recovered_and_damaged_record_rebuilt(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    lost = record(store)
    write_atomic(store.raw_path(lost.id), RAW)  # the app died between the two writes
    broken = store.save(RAW, record(store))
    store.meta_path(broken.id).write_bytes(b'{"id": "tru')  # a record damaged by hand
    (tmp_path / "x.json.1234.tmp").write_bytes(b"half")
    os.utime(tmp_path / "x.json.1234.tmp", (0, 0))  # a stale temp file from a crash long ago
    loaded = CaptureStore(tmp_path).load()
    assert [(r.id, r.recovered, r.method, r.target) for r in loaded] == [
        (lost.id, True, "POST", "/api/1/item/"),
        (broken.id, True, "POST", "/api/1/item/"),
    ]
    assert not (tmp_path / "x.json.1234.tmp").exists()
    assert json.loads(store.meta_path(lost.id).read_bytes())["recovered"] is True  # repaired on disk


def test_redaction_notes_round_trip_and_old_records_still_load(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    notes = [{"name": "X-Rollbar-Access-Token header", "last4": "1111"}]
    saved = store.save(RAW, record(store, redacted=notes, body_recompressed=True))
    old = record(store)
    write_atomic(store.raw_path(old.id), RAW)
    data = old.as_dict()
    del data["redacted"], data["body_recompressed"]  # a record written before redaction existed
    write_atomic(store.meta_path(old.id), json.dumps(data).encode())
    by_id = {r.id: r for r in CaptureStore(tmp_path).load()}
    assert by_id[saved.id].redacted == notes and by_id[saved.id].body_recompressed
    assert by_id[old.id].redacted == [] and not by_id[old.id].recovered


def test_recovered_capture_of_a_redacted_request_is_described_without_errors(tmp_path: Path) -> None:
    """The receiver's stored (redacted) request, its record lost: recovery reads it like the receiver did."""
    from inspector.formats.base import redaction_placeholder
    from inspector.net.receiver import describe_capture
    from tests.conftest import CORPUS

    body = (CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json").read_bytes()
    body = body.replace(b"aaaabbbbccccddddeeeeffff00001111", redaction_placeholder(32).encode())
    raw = f"POST /api/1/item/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    store = CaptureStore(tmp_path, describe=describe_capture)
    write_atomic(store.raw_path(store.new_id()), raw)
    (found,) = store.load()
    assert found.recovered and (found.api, found.kind, found.errors) == ("rollbar", "trace_chain", 0)
    assert any("redacted by the receiver" in p["message"] and p["severity"] == "info" for p in found.problems)


def test_delete_and_clear(tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    a, b = (store.save(RAW, record(store)) for _ in range(2))
    store.delete(a.id)
    assert [r.id for r in store.load()] == [b.id]
    assert store.clear() == 1 and store.load() == [] and list(tmp_path.iterdir()) == []


WRITER = """
import sys, time
from inspector.net.store import CaptureStore, CaptureRecord
store = CaptureStore(sys.argv[1])
n = 0
while True:
    body = bytes([48 + n % 10]) * (200_000 + n)
    raw = b"POST /post HTTP/1.1\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body
    rec = CaptureRecord(id=store.new_id(), time=time.time(), api="backtrace", method="POST", target="/post",
                        size=len(body))
    store.save(raw, rec)
    print(rec.id, flush=True)
    n += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_during_writes_loses_nothing_that_was_confirmed_and_leaves_no_torn_file(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2]
    )
    confirmed = [proc.stdout.readline().strip() for _ in range(8)]
    proc.send_signal(signal.SIGKILL)  # mid-way through the next writes, most likely
    proc.wait(10)
    confirmed += [line.strip() for line in proc.stdout.read().splitlines() if line.strip()]
    proc.stdout.close()
    loaded = CaptureStore(tmp_path).load()
    ids = [r.id for r in loaded]
    assert set(confirmed) <= set(ids)
    assert len(ids) <= len(confirmed) + 1  # at most the capture being written, recovered from its raw file
    for rec in loaded:  # every listed capture is whole: the head's Content-Length matches the body
        raw = CaptureStore(tmp_path).read_raw(rec.id)
        head, _, body = raw.partition(b"\r\n\r\n")
        assert int(head.split(b"Content-Length: ")[1]) == len(body)
