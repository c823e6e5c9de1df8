"""Bundles re-open to the same state; drafts are written atomically and found after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inspector import atomic
from inspector.compose import bundle
from inspector.compose.drafts import Draft, DraftStore, drafts_dir
from inspector.compose.templates import instantiate
from inspector.formats import load_bytes, load_path
from inspector.formats.base import Part


def _state(sub) -> tuple:
    return (
        sub.format,
        sub.document.value if sub.document is not None else sub.envelope.body,
        [(p.name, p.filename, p.content_type, p.data) for p in sub.attachments],
        bundle.form_fields(sub),
    )


def test_json_payload_saves_as_json(tmp_path: Path) -> None:
    sub = instantiate("rollbar-trace")
    data, ext = bundle.save_bytes(sub, None)
    assert ext == ".json" and data == sub.document.to_bytes()


def test_bundle_with_attachments_round_trips(tmp_path: Path) -> None:
    sub = instantiate("backtrace-error-attachments")
    sub.attachments.append(Part("attachment_blob.bin", bytes(range(256)) * 4, "blob.bin", "application/octet-stream"))
    data, ext = bundle.save_bytes(sub, sub.document.to_bytes().decode())
    assert ext == ".multipart"
    path = tmp_path / f"saved{ext}"
    atomic.write_bytes(path, data)
    again = load_path(str(path))
    assert _state(again) == _state(sub)
    data2, _ = bundle.save_bytes(again, None)  # and once more: stable
    assert _state(load_bytes(data2)) == _state(sub)


def test_minidump_upload_round_trips() -> None:
    sub = instantiate("backtrace-minidump")
    data, _ext = bundle.save_bytes(sub, None)
    again = load_bytes(data)
    assert _state(again) == _state(sub)
    assert bundle.form_fields(again) == [("application", "crash-inspector-demo"), ("application.version", "1.0.0")]


def test_http_request_keeps_its_request_line(corpus: Path) -> None:
    path = corpus / "backtrace" / "backtracepython-0.4.3_exception_3-threads_attachment.request.http"
    sub = load_path(str(path))
    data, ext = bundle.save_bytes(sub, None)
    assert ext == ".request.http" and data.startswith(b"POST ")
    assert _state(load_bytes(data)) == _state(sub)


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic.write_bytes(target, b"1")
    atomic.write_bytes(target, b"2")
    assert target.read_bytes() == b"2" and os.listdir(tmp_path) == ["a.json"]


def test_drafts_live_under_the_user_data_dir(_isolated_user_dirs: Path) -> None:
    assert str(drafts_dir()).startswith(str(_isolated_user_dirs / "data"))
    assert drafts_dir().parts[-2:] == ("crash-inspector", "drafts")


def test_draft_round_trip_and_orphans(tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    draft = Draft(
        id=store.new_id(),
        text='{"broken": ',
        base_text="{}",
        format="rollbar",
        title="t",
        attachments=[Part("attachment_a.txt", b"\x00\x01", "a.txt", "text/plain")],
    )
    store.save(draft)
    (again,) = store.all()
    assert (again.text, again.base_text, again.attachments[0].data) == ('{"broken": ', "{}", b"\x00\x01")
    assert store.orphans() == []  # this process is alive
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    raw = (tmp_path / f"{draft.id}.json").read_text().replace(f'"pid": {os.getpid()}', f'"pid": {dead.stdout.strip()}')
    (tmp_path / f"{draft.id}.json").write_text(raw)
    assert [d.id for d in store.orphans()] == [draft.id]
    (tmp_path / "junk.json").write_text("{not json")
    assert len(store.all()) == 1
    store.remove(draft.id)
    assert store.all() == []
