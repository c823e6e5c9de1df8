"""Form edits, undo, redo and save on a document whose containers are chunks of its bytes (lazy_json) give exactly
what they give on the same document parsed plainly: the lazy paths lose no data, below and above the thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from inspector.formats import json_pieces, jsondoc, lazy_chunks, lazy_json, load_bytes
from inspector.formats.lazy_json import ChunkedDict
from inspector.ui.document.forms import FormsWidget
from inspector.ui.document.open_document import OpenDocument
from tests.ui.backtrace_payloads import backtrace_value

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _payload() -> dict[str, Any]:
    return backtrace_value(60, 40, fault=3, library="/srv/lib.so", **{"error.message": "crash"})


def _edit_undo_save(qtbot, tmp_path: Path, name: str) -> tuple[Any, list[Any], Any]:
    """Open, edit through the forms (attribute, frames, threads), save; undo all and save again."""
    data = orjson.dumps(_payload(), option=orjson.OPT_INDENT_2)
    doc = OpenDocument(load_bytes(data, source_name="big.json"), title="big.json")
    doc.allow_editing(in_place=False)
    forms = FormsWidget()
    qtbot.addWidget(forms)
    forms.set_document(doc)
    attributes = forms.attributes
    row = next(r for r in range(attributes.rowCount()) if attributes.index(r, 0).data() == "hostname")
    assert attributes.setData(attributes.index(row, 1), "qa-2")
    frames = forms.lists["frames"]
    frames.view.setCurrentIndex(frames.model.index(0))
    frames.move_row(1)
    frames.view.setCurrentIndex(frames.model.index(5))
    frames.remove()
    forms.lists["threads"].add()
    doc.apply_edits([jsondoc.Edit("set", "/threads/41/stack/7/line", 777)], "a line deep in a chunk")
    edited = json.loads(doc.save(tmp_path / f"{name}-edited.json").read_bytes())
    steps = doc.undo_stack.count()
    for _ in range(steps):
        doc.undo_stack.undo()
    undone = json.loads(doc.save(tmp_path / f"{name}-undone.json").read_bytes())
    for _ in range(steps):
        doc.undo_stack.redo()
    redone = json.loads(doc.save(tmp_path / f"{name}-redone.json").read_bytes())
    chunked = isinstance(doc.document.value["threads"], ChunkedDict)
    return (edited, [undone, redone], chunked)


def test_form_edits_undo_and_save_of_a_chunked_document_match_the_plain_one(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 2**40)  # below the threshold (whatever CRASH_INSPECTOR_TEST_LAZY set)
    plain_edited, (plain_undone, plain_redone), plain_chunked = _edit_undo_save(qtbot, tmp_path, "plain")
    assert not plain_chunked
    monkeypatch.setattr(jsondoc, "PIECES_FROM", 0)  # above every threshold: pieces, chunks, a one-chunk cache
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 2048)
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 0)
    monkeypatch.setattr(lazy_chunks, "CACHE_MIN", 0)
    monkeypatch.setattr(lazy_chunks, "CACHE_MAX", 1)
    lazy_edited, (lazy_undone, lazy_redone), lazy_chunked = _edit_undo_save(qtbot, tmp_path, "lazy")
    assert lazy_chunked  # the document really was read from chunks
    assert lazy_edited == plain_edited and list(lazy_edited["threads"]) == list(plain_edited["threads"])
    assert lazy_edited["attributes"]["hostname"] == "qa-2" and lazy_edited["threads"]["41"]["stack"][7]["line"] == 777
    assert lazy_undone == plain_undone == _payload()
    assert lazy_redone == plain_redone == plain_edited
