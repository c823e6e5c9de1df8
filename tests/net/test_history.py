"""The send history: records, pages, payload reopens, and never holds a secret."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.formats import get_format, load_bytes, load_path
from inspector.formats.base import Target
from inspector.net.client import SendOptions, send_request
from inspector.net.history import History, default_path
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"
BT_TOKEN = "c0ffee" * 10 + "abcd"
SECRET = "0b3a1c64-1111-2222-3333-444455556666"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


def _send_and_record(history: History, path: Path, fmt: str, target: Target):  # type: ignore[no-untyped-def]
    sub = load_path(str(path), format=fmt)
    module = get_format(fmt)
    spec = module.build_request(sub, target)
    exchange = send_request(spec, read_response=module.read_response, options=SendOptions(timeout=5, max_attempts=1))
    entry_id = history.record(exchange, profile="p", target_kind=target.kind, format=fmt, source=path.name)
    return sub, spec, exchange, entry_id


def test_no_secret_reaches_the_database(server: FaultServer) -> None:
    history = History()
    assert history.path == default_path() and "crash-inspector" in str(history.path)
    rollbar = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
    _send_and_record(history, rollbar, "rollbar", Target("rollbar", server.url, token=TOKEN, token_in_body=True))
    _send_and_record(history, rollbar, "rollbar", Target("rollbar", server.url, token=TOKEN, gzip=True))
    _send_and_record(
        history,
        CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json",
        "backtrace",
        Target("backtrace-hosted", server.url, token=BT_TOKEN, universe="acme"),
    )
    _send_and_record(
        history,
        CORPUS / "appcenter" / "docs_managedError_android_innerExceptions.json",
        "appcenter",
        Target("appcenter", server.fault("403"), app_secret=SECRET, install_id="i"),
    )
    history.close()
    raw = history.path.read_bytes()
    wal = history.path.with_name(history.path.name + "-wal")
    if wal.exists():
        raw += wal.read_bytes()
    assert len(raw) > 4096
    for secret in (TOKEN, BT_TOKEN, SECRET):
        assert secret.encode() not in raw
    # and the server did get them: the masking is in the record, not in the request
    assert any(TOKEN.encode() in r.body for r in server.requests)
    assert any(r.header("App-Secret") == SECRET for r in server.requests)


def test_pages_detail_and_reopen(server: FaultServer) -> None:
    history = History()
    path = CORPUS / "backtrace" / "backtrace-node-0.8.3_exception_plain-json.json"
    sub, spec, _exchange, first = _send_and_record(
        history, path, "backtrace", Target("backtrace-direct", server.url, token=BT_TOKEN)
    )
    for _ in range(4):
        _send_and_record(history, path, "backtrace", Target("backtrace-direct", server.fault("500"), token=BT_TOKEN))
    assert history.count() == 5
    page = history.page(0, 3)
    assert [e.status for e in page] == [500, 500, 500]
    last = history.page(3, 10)
    assert [e.id for e in last][-1] == first and last[-1].ok and last[-1].status == 200
    assert "Accepted by Backtrace" in last[-1].summary and last[-1].source == path.name
    detail = history.detail(first)
    assert detail["url"] == spec.masked_url and BT_TOKEN not in str(detail["url"])
    assert ["Content-Type", "application/json"] in detail["request_headers"]  # type: ignore[operator]
    assert detail["elapsed_ms"] > 0 and detail["request_size"] == len(spec.body)  # type: ignore[operator]
    reopened = load_bytes(history.payload(first), source_name="history", format="backtrace")
    assert reopened.document is not None and sub.document is not None
    assert reopened.document.value == sub.document.value
    with pytest.raises(KeyError):
        history.payload(999)


def test_failure_is_recorded() -> None:
    from inspector.formats.base import RequestSpec

    history = History()
    spec = RequestSpec("POST", "http://127.0.0.1:9/post?token=zzz", [], b"{}", secrets=["zzz"])
    exchange = send_request(spec, options=SendOptions(timeout=2, max_attempts=1))
    entry = history.detail(
        history.record(exchange, profile="--url", target_kind="backtrace-direct", format="backtrace")
    )
    assert entry["status"] is None and entry["failure_kind"] == "refused" and entry["ok"] == 0
    assert "refused" in str(entry["summary"]) and "zzz" not in str(entry["url"])
