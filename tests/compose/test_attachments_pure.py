"""Attachment rules without Qt: names, limits, per-API operations, safe save-out."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from inspector.compose import attachments as A
from inspector.compose.templates import instantiate
from inspector.formats.base import InspectorError, Part
from inspector.formats.jsondoc import Document


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.dll", "evil.dll"),
        ("/abs/path/log.txt", "log.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        ("CON.txt", "_CON.txt"),
        ("a\x00b:c?.log", "a_b_c_.log"),
        ("  .hidden. ", "hidden"),
    ],
)
def test_sanitize_filename(name: str, safe: str) -> None:
    assert A.sanitize_filename(name) == safe


def test_save_out_stays_in_the_folder_and_never_overwrites_silently(tmp_path: Path) -> None:
    path = A.save_out(tmp_path, "../../escape.txt", b"one")
    assert path == tmp_path / "escape.txt" and path.read_bytes() == b"one"
    assert not (tmp_path.parent / "escape.txt").exists()
    with pytest.raises(FileExistsError):
        A.save_out(tmp_path, "escape.txt", b"two")
    A.save_out(tmp_path, "escape.txt", b"two", overwrite=True)
    assert path.read_bytes() == b"two"


def test_content_types_follow_the_seed() -> None:
    assert A.guess_content_type("app.log") == "text/plain"
    assert A.guess_content_type("notes.TXT") == "text/plain"
    assert A.guess_content_type("state.json") == "application/json"
    assert A.guess_content_type("blob.bin") == "application/octet-stream"


def test_limits() -> None:
    assert A.size_problem("appcenter", A.APPCENTER_MAX_BYTES) is None
    severity, message = A.size_problem("appcenter", A.APPCENTER_MAX_BYTES + 1)
    assert severity == "error" and "7 MB" in message
    assert A.size_problem("backtrace", 11 * 2**20)[0] == "warning"
    assert A.size_problem("rollbar", 10**9) is None


def test_backtrace_parts_add_rename_replace_remove() -> None:
    parts: list[Part] = []
    parts = A.backtrace_add(parts, "/home/qa/app.log", b"hello")
    parts = A.backtrace_add(parts, "app.log", b"again")  # unity's duplicate rule
    assert [p.name for p in parts] == ["attachment_app.log", "attachment_app(1).log"]
    assert parts[0].content_type == "text/plain"
    parts = A.backtrace_rename(parts, 1, "other.json")
    assert parts[1].name == "attachment_other.json" and parts[1].content_type == "application/json"
    with pytest.raises(InspectorError):
        A.backtrace_rename(parts, 1, "app.log")
    parts = A.backtrace_replace(parts, 0, b"new")
    assert parts[0].data == b"new"
    parts = A.backtrace_remove(parts, 0)
    assert [a.filename for a in A.from_parts(parts)] == ["other.json"]


def test_from_parts_reads_attachment_dot_ext_and_full_paths() -> None:
    parts = [Part("attachment.log", b"x", None, "text/plain"), Part("attachment_a", b"y", "/tmp/dir/a.txt")]
    assert [a.filename for a in A.from_parts(parts)] == ["log", "a.txt"]


def test_appcenter_operations_are_document_edits() -> None:
    sub = instantiate("appcenter-managed-error")
    doc: Document = sub.document
    error_id = doc.value["logs"][0]["id"]
    for edit in A.appcenter_add(doc.value, "../x.txt", b"log line", error_id):
        doc.apply(edit)
    items = A.from_appcenter(doc.value)
    assert len(items) == 1 and items[0].filename == "x.txt" and items[0].data == b"log line"
    assert items[0].error_id == error_id and doc.value["logs"][1]["device"] == doc.value["logs"][0]["device"]
    for edit in A.appcenter_rename(1, "y.log") + A.appcenter_replace(1, b"new", "text/plain"):
        doc.apply(edit)
    assert base64.b64decode(doc.value["logs"][1]["data"]) == b"new" and doc.value["logs"][1]["fileName"] == "y.log"
    for edit in A.appcenter_remove(1):
        doc.apply(edit)
    assert A.from_appcenter(doc.value) == []


def test_appcenter_refuses_oversize_and_unknown_error() -> None:
    value = instantiate("appcenter-managed-error").document.value
    error_id = value["logs"][0]["id"]
    with pytest.raises(InspectorError, match="7 MB"):
        A.appcenter_add(value, "big.bin", b"\0" * (A.APPCENTER_MAX_BYTES + 1), error_id)
    with pytest.raises(InspectorError, match="errorId"):
        A.appcenter_add(value, "a.txt", b"x", "not-an-error")


def test_bad_base64_is_shown_not_raised() -> None:
    value = {"logs": [{"type": "errorAttachment", "data": "<base64 encoded minidump>", "errorId": "e"}]}
    (item,) = A.from_appcenter(value)
    assert item.decode_problem and item.data == b"<base64 encoded minidump>"


def test_preview_kinds_and_hexdump() -> None:
    assert A.preview_kind("image/png", "a.png", b"\x89PNG") == "image"
    assert A.preview_kind("", "a.json", b"{}") == "json"
    assert A.preview_kind("text/plain", "a.txt", "héllo".encode()) == "text"
    assert A.preview_kind("", "a.dmp", b"MDMP\x00\x00") == "hex"
    assert A.hexdump(b"AB\x00").startswith("00000000  41 42 00")
