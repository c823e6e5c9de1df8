"""Our uploads against our own receiver (issue 16): what ``upload-symbols`` / ``upload-sourcemap`` send is what
the receiver's /symbols and /sourcemap emulation stores, byte for byte, with the tags and no token on disk."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.formats.base import Target
from inspector.net.receiver import ReceiverConfig
from inspector.net.store import CaptureRecord, CaptureStore
from inspector.net.uploads import upload
from tests.net.test_receiver import Running
from tests.net.test_uploads import TOKEN


@pytest.fixture
def rx(tmp_path: Path) -> Iterator[Running]:
    running = Running(CaptureStore(tmp_path / "inbox"), ReceiverConfig(host="127.0.0.1", port=0))
    yield running
    running.thread.stop()


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_symbols_folder_stored_by_the_receiver(rx: Running, tmp_path: Path) -> None:
    folder = tmp_path / "symbols"
    folder.mkdir()
    (folder / "app.sym").write_bytes(b"MODULE Linux x86_64 0123456789ABCDEF app\n")
    (folder / "libz.sym").write_bytes(os.urandom(200_000))
    result = upload(
        [folder], Target("backtrace-hosted", rx.url, token=TOKEN, universe="demo"), "symbols", tags=["2.4.1", "release"]
    )
    exchange = result.exchange
    assert exchange.ok and exchange.status == 200, exchange.summary
    assert exchange.outcome is not None and exchange.outcome.id and "_rxid" in exchange.summary
    assert "answered by the local receiver" in exchange.summary
    record: CaptureRecord = rx.wait_records(1)[0]
    assert record.tags == ["2.4.1", "release"] and record.archive and record.archive_size > 0
    archive = rx.store.root / record.archive
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zf:
        assert sorted(zf.namelist()) == ["symbols/app.sym", "symbols/libz.sym"]
        assert zf.read("symbols/libz.sym") == (folder / "libz.sym").read_bytes()
    for path in stored_files(rx.store.root):  # the token is in the URL only, and never stored
        assert TOKEN.encode() not in path.read_bytes(), path


def test_big_sourcemap_archive_streams_to_the_receiver(rx: Running, tmp_path: Path) -> None:
    """A 64 MiB archive (sparse) on-premise style: the stored archive has the same SHA-256 as the file sent."""
    big = tmp_path / "maps.zip"
    with open(big, "wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.seek(64 * 1024 * 1024 - 4)
        fh.write(b"END!")
    target = Target("backtrace-onprem", rx.url, token=TOKEN)
    result = upload([big], target, "sourcemap", tags=["web"])
    assert result.exchange.ok, result.exchange.summary
    record = rx.wait_records(1)[0]
    assert record.kind == "sourcemap" and record.tags == ["web"]
    stored = rx.store.root / record.archive
    assert record.archive_size == stored.stat().st_size == big.stat().st_size
    digest = hashlib.sha256()
    with open(stored, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    expected = hashlib.sha256()
    with open(big, "rb") as fh:
        while chunk := fh.read(1 << 22):
            expected.update(chunk)
    assert digest.hexdigest() == expected.hexdigest()


def test_cli_upload_sourcemap_to_the_receiver(
    rx: Running, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.cli import main

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "sourcemaps"
    monkeypatch.setenv("BT_TOKEN", TOKEN)
    code = main(
        [
            "upload-sourcemap",
            str(fixtures / "bundle.min.js.map"),
            "--url",
            rx.url + "/api/post",
            "--token-env",
            "BT_TOKEN",
            "--tag",
            "web-2.4.1",
            "--json",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["ok"] and data["id"] and data["upload_file"]["built"] is False and TOKEN not in out + err
    record = rx.wait_records(1)[0]
    assert record.kind == "sourcemap" and record.tags == ["web-2.4.1"]
    assert (rx.store.root / record.archive).read_bytes() == (fixtures / "bundle.min.js.map").read_bytes()
