"""Symbol lookup in store layout: local folders, a real HTTP symbol server on 127.0.0.1, the cache, faults."""

from __future__ import annotations

import functools
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inspector.formats.minidump_parse import parse
from inspector.native.stack import walk_thread
from inspector.native.store import Cancelled, SymbolStore, env_sources, store_path, sym_name
from tests.conftest import CORPUS

SYMBOLS = CORPUS / "symbols"
DUMP = CORPUS / "minidump" / "breakpad_windows-x86_minidump2.dmp"


class Module:
    def __init__(self, debug_file: str | None, debug_id: str | None, name: str = "x") -> None:
        self.debug_file, self.debug_id, self.name = debug_file, debug_id, name


TEST_APP = Module("c:\\test_app.pdb", "5A9832E5287241C1838ED98914E9B7FF1", "c:\\test_app.exe")


def test_store_layout_names() -> None:
    assert sym_name("test_app.pdb") == "test_app.sym" and sym_name("libxul.so") == "libxul.so.sym"
    assert store_path("c:\\dir\\Xul.PDB", "abc") == "Xul.PDB/ABC/Xul.sym"


def test_local_folder() -> None:
    store = SymbolStore(sources=[str(SYMBOLS)])
    found = store.symbols_for(TEST_APP)
    assert found is not None and found.debug_id == TEST_APP.debug_id
    assert store.symbols_for(Module("kernel32.pdb", "ABC")) is None
    assert store.missing() == [("kernel32.pdb", "ABC")]
    assert store.symbols_for(Module("x.pdb", None)) is None  # no debug id: nothing to look up


def test_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRASH_INSPECTOR_SYMBOLS", f"{SYMBOLS}:http://127.0.0.1:9/symbols")
    assert env_sources() == [str(SYMBOLS), "http://127.0.0.1:9/symbols"]
    assert SymbolStore.from_sources(["/x"]).sources == ["/x", str(SYMBOLS), "http://127.0.0.1:9/symbols"]


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "served"
    shutil.copytree(SYMBOLS, root / "symbols")
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/symbols"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_http_server_download_progress_and_cache(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    steps = []
    store = SymbolStore(sources=[server], cache=cache, progress=steps.append)
    found = store.symbols_for(TEST_APP)
    assert found is not None
    cached = cache / "test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym"
    assert cached.read_bytes() == (SYMBOLS / "test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym").read_bytes()
    assert steps[0].done == 0 and steps[-1].done == steps[-1].total == cached.stat().st_size
    assert _Handler.requests == ["/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym"]
    assert store.symbols_for(Module("nothere.pdb", "00")) is None  # a 404: missing, not an error
    assert store.errors == []
    # A new session finds the file in the cache without asking the server.
    _Handler.requests = []
    again = SymbolStore(sources=[server], cache=cache)
    assert again.symbols_for(TEST_APP) is not None and _Handler.requests == []


def test_symbolicated_walk_through_the_server(server: str, tmp_path: Path) -> None:
    md = parse(DUMP.read_bytes())
    store = SymbolStore(sources=[server], cache=tmp_path / "cache")
    frames = walk_thread(md, md.threads[0], store)
    assert [f.symbol.function if f.symbol else None for f in frames] == [
        "`anonymous namespace'::CrashFunction",
        "main",
        "__tmainCRTStartup",
        None,
    ]
    assert ("kernel32.pdb", "BCE8785C57B44245A669896B6A19B9542") in store.missing()


def test_server_that_never_answers_times_out_once(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections (backlog) but never reads or answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/symbols"
        store = SymbolStore(sources=[url], cache=tmp_path / "cache", timeout=0.5)
        assert store.symbols_for(TEST_APP) is None
        assert store.symbols_for(Module("other.pdb", "11")) is None  # the server is not asked again
        assert len(store.errors) == 1 and "Timeout" in store.errors[0]
    finally:
        silent.close()


def test_refused_connection_is_one_line(tmp_path: Path) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    store = SymbolStore(sources=[f"http://127.0.0.1:{port}"], cache=tmp_path / "cache")
    assert store.symbols_for(TEST_APP) is None
    assert len(store.errors) == 1 and "\n" not in store.errors[0]


def test_cancel_stops_the_download_and_leaves_no_partial_file(server: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    store = SymbolStore(sources=[server], cache=cache, cancelled=lambda: True)
    with pytest.raises(Cancelled):
        store.symbols_for(TEST_APP)
    assert not [p for p in cache.rglob("*") if p.is_file()]


def test_damaged_file_in_a_store_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "store" / "test_app.pdb" / TEST_APP.debug_id / "test_app.sym"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"<html>not found</html>")
    store = SymbolStore(sources=[str(tmp_path / "store")])
    assert store.symbols_for(TEST_APP) is None
    assert "not a Breakpad symbol file" in store.errors[0]
