"""One multipart builder: a saved bundle and a Backtrace submission are the same form layout, written by
:mod:`inspector.formats.multipart` only."""

from __future__ import annotations

import re
from pathlib import Path

from inspector.compose.bundle import multipart_request
from inspector.formats import load_bytes
from inspector.formats.backtrace import multipart_body
from inspector.formats.base import Part

ROOT = Path(__file__).resolve().parents[2]


def _parts(body: bytes) -> list[bytes]:
    boundary = body.split(b"\r\n", 1)[0]
    return [p.split(b"\r\n\r\n", 1)[0] for p in body.split(boundary)[1:-1]]


def test_only_the_multipart_module_writes_form_data_heads() -> None:
    writers = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "inspector").rglob("*.py")
        if re.search(r"form-data; name=", p.read_text(encoding="utf-8"))
    ]
    assert writers == ["inspector/formats/multipart.py"]


def test_bundle_and_backtrace_bodies_share_the_layout() -> None:
    report = b'{"uuid": "u", "timestamp": 1, "lang": "python", "langVersion": "3", "agent": "a", "agentVersion": "1"}'
    log = Part("attachment_log.txt", b"hello", "log.txt", "text/plain")
    sent, _ = multipart_body(report, [log], [("version", "1.2")])
    main = Part("upload_file", report, "upload_file.json", "application/json")
    saved = multipart_request(main, [log], [("version", "1.2")])
    assert _parts(sent) == _parts(saved)
    assert _parts(saved) == [
        b'\r\nContent-Disposition: form-data; name="upload_file"; filename="upload_file.json"\r\n'
        b"Content-Type: application/json",
        b'\r\nContent-Disposition: form-data; name="version"',
        b'\r\nContent-Disposition: form-data; name="attachment_log.txt"; filename="log.txt"\r\n'
        b"Content-Type: text/plain",
    ]
    again = load_bytes(saved)
    assert again.format == "backtrace" and [a.data for a in again.attachments] == [b"hello"]
