"""Markdown and HTML summaries, and the support bundle (with and without a send history)."""

from __future__ import annotations

import json
import sqlite3
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from inspector.formats import load_bytes, load_path, reports
from inspector.formats.jsondoc import dumps
from inspector.net.history import History
from inspector.toolkit.bundle import build_bundle, last_response
from inspector.toolkit.export import to_html, to_markdown
from tests.conftest import CORPUS


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(text: str) -> _Collector:
    parser = _Collector()
    parser.feed(text)
    parser.close()
    return parser


def test_html_has_the_exception_and_frames_and_no_external_assets() -> None:
    sub = load_path(str(CORPUS / "backtrace/backtracepython-0.4.3_exception_3-threads.json"))
    page = _parse(to_html(sub, reports(sub)[0]))
    text = "".join(page.text)
    assert "KeyError" in text and "'missing'" in text
    for func in ("level3", "level2", "<module>"):
        assert func in text
    assert page.links == [] and "script" not in page.tags and "link" not in page.tags


def test_html_escapes_everything() -> None:
    evil = '<script>alert("x")</script>'
    value = {
        "data": {
            "environment": "p",
            "level": "error",
            "title": evil,
            "body": {
                "trace": {
                    "exception": {"class": "E<1>", "message": evil},
                    "frames": [{"filename": "a&b.py", "method": "<lambda>", "lineno": 3}],
                }
            },
        }
    }
    sub = load_bytes(dumps(value))
    html_text = to_html(sub, reports(sub)[0])
    assert "<script>" not in html_text
    page = _parse(html_text)
    assert "script" not in page.tags
    text = "".join(page.text)
    assert evil in text and "E<1>" in text and "a&b.py:3" in text and "<lambda>" in text


def test_markdown_summary() -> None:
    sub = load_path(str(CORPUS / "rollbar/rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"))
    md = to_markdown(sub, reports(sub)[0])
    assert md.startswith("## Error: lookup failed")
    assert "caused by **TypeError**" in md
    assert "about to process order 42" in md
    assert "### Problems" in md


def test_bundle_without_history(tmp_path: Path) -> None:
    src = CORPUS / "backtrace/backtracepython-0.4.3_exception_3-threads_attachment.request.http"
    out = tmp_path / "b.zip"
    result = build_bundle(load_path(str(src)), out, source=str(src), history_path=tmp_path / "none.sqlite3")
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        payload = zf.read("payload.json")
        notes = zf.read("NOTES.txt").decode()
        html_text = zf.read("summary.html").decode()
        redactions = json.loads(zf.read("redactions.json"))
    assert {"payload.json", "summary.html", "attachments/app.log", "NOTES.txt"} <= set(names)
    assert "last-response.json" not in names and "No last response" in notes
    assert b"KeyError" in payload
    assert "KeyError" in html_text
    assert redactions and all("before" not in r for r in redactions)
    assert not (tmp_path / "none.sqlite3").exists()  # read-only: never created
    assert result.redactions == len(redactions)


def test_bundle_with_the_last_response_from_history(tmp_path: Path) -> None:
    src = CORPUS / "rollbar/pyrollbar-1.5.0_trace_person_context_fingerprint.json"
    db_path = tmp_path / "history.sqlite3"
    History(db_path).close()  # the real schema
    with sqlite3.connect(db_path) as db:
        for status, body in ((500, b'{"err":1}'), (200, b'{"err":0,"result":{"uuid":"u-1"}}')):
            db.execute(
                "INSERT INTO sends (started_at, profile, target_kind, format, source, method, url, request_headers,"
                " request_size, status, ok, summary, details, failure_kind, response_headers, response_body,"
                " elapsed_ms, attempts, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    time.time(),
                    "local",
                    "rollbar",
                    "rollbar",
                    str(src),
                    "POST",
                    "http://127.0.0.1/api/1/item/",
                    "[]",
                    10,
                    status,
                    int(status == 200),
                    "ok" if status == 200 else "server error",
                    "[]",
                    None,
                    "[]",
                    body,
                    12.0,
                    1,
                    b"",
                ),
            )
    response = last_response(str(src), db_path)
    assert response is not None and response["status"] == 200
    out = tmp_path / "b.zip"
    build_bundle(load_path(str(src)), out, source=str(src), history_path=db_path)
    with zipfile.ZipFile(out) as zf:
        saved = json.loads(zf.read("last-response.json"))
        payload = zf.read("payload.json")
    assert saved["response_body"] == '{"err":0,"result":{"uuid":"u-1"}}'
    assert b"aaaabbbbccccddddeeeeffff00001111" not in payload  # the bundle's payload is redacted
