"""A big document opens to its trees without its raw text; the text is made on the thread pool when the raw view is
first shown (or at once when something needs it), and nothing about saving or editing changes."""

from __future__ import annotations

import orjson
import pytest

from inspector.formats import load_bytes
from inspector.formats.jsondoc import Edit
from inspector.ui.document import raw_view
from inspector.ui.document.document_view import DocumentView
from inspector.ui.document.line_source import PieceSource
from inspector.ui.document.line_view import BigRawView
from inspector.ui.document.open_document import BIG_DOCUMENT, OpenDocument
from inspector.ui.document.raw_view import PendingRawView, RawView

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


def _big_backtrace() -> bytes:
    threads = {
        str(t): {"name": f"thread-{t}", "stack": [{"funcName": f"fn_{t}_{i}", "line": i + 1} for i in range(40)]}
        for t in range(1600)
    }
    value = {
        "uuid": "bafe9bd1-20c5-4152-9127-c47089bf36a2",
        "timestamp": 1795373151,
        "lang": "c",
        "langVersion": "gcc 12",
        "agent": "test",
        "agentVersion": "1.0.0",
        "mainThread": "0",
        "threads": threads,
    }
    data = orjson.dumps(value)  # one line: the raw view shows it pretty-printed
    assert len(data) > BIG_DOCUMENT
    return data


@pytest.fixture
def big_doc() -> tuple[OpenDocument, bytes]:
    data = _big_backtrace()
    return OpenDocument(load_bytes(data, source_name="big.json")), data


@pytest.fixture(autouse=True)
def read_only_raw_view(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raw_view, "_factory", RawView)


def test_trees_first_text_when_the_raw_view_is_shown(qtbot, big_doc) -> None:
    doc, _data = big_doc
    assert not doc.has_text
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    assert view.frames_model.rowCount() or view.threads_model.rowCount()
    assert isinstance(view.raw_view, BigRawView)
    assert not view.raw_view.loaded  # the trees did not need the text
    view.show_view("raw")
    qtbot.waitUntil(lambda: view.raw_view.loaded, timeout=30000)
    source = view.raw_view.view.source
    assert source.text(0, 40).startswith('{\n  "uuid": "bafe9bd1')
    # the read-only view writes the pretty-printed pieces it shows again when it paints them (the document makes
    # its own text soon after opening, for documents the editor can take: not for this view)
    assert isinstance(source, PieceSource)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)  # not left running into the next test


def test_a_pointer_asked_for_before_the_text_is_selected_when_it_arrives(qtbot, big_doc) -> None:
    doc, _data = big_doc
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.show()
    assert view.select_pointer("/threads/7/stack/3/funcName")  # selected once the text is made
    qtbot.waitUntil(lambda: view.raw_view.selected_text() == '"fn_7_3"', timeout=30000)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)  # not left running into the next test


def test_asking_the_pending_view_anything_makes_the_text_now(qtbot, big_doc, monkeypatch) -> None:
    from inspector.ui.document.editor import EditorWidget, create_editor

    monkeypatch.setattr(raw_view, "_factory", create_editor)  # an editable document: the editor's path
    doc, _data = big_doc
    view = DocumentView(doc)
    qtbot.addWidget(view)
    assert isinstance(view.raw_view, PendingRawView)
    assert view.raw_view.text().startswith("{")  # delegated: made on this thread
    assert doc.has_text and isinstance(view.raw_view.real, EditorWidget)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)  # not left running into the next test


def test_saving_an_unedited_big_document_writes_its_bytes_without_making_the_text(big_doc) -> None:
    doc, data = big_doc
    saved, _ext = doc.save_data()
    assert saved == data
    assert not doc.has_text and not doc.modified


def test_a_form_edit_before_the_text_exists_splices_into_it(qtbot, big_doc) -> None:
    doc, _data = big_doc
    doc.apply_edits([Edit("set", "/threads/0/name", "edited")], "rename")
    assert not doc.has_text  # not made on the GUI thread: the thread pool makes it a moment later
    qtbot.waitUntil(lambda: doc.has_text, timeout=30000)
    assert '"name": "edited"' in doc.text
    assert doc.modified
    assert orjson.loads(doc.save_data()[0])["threads"]["0"]["name"] == "edited"
    doc.undo_stack.undo()
    assert '"name": "thread-0"' in doc.text


def test_the_editor_arrives_in_place_of_the_pending_view(qtbot, big_doc, monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.ui.document.editor import EditorWidget, create_editor

    monkeypatch.setattr(raw_view, "_factory", create_editor)
    doc, _data = big_doc
    view = DocumentView(doc)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(doc.text_ready, timeout=30000):
        view.show_view("raw")
    qtbot.waitUntil(lambda: view.raw_view.real is not None, timeout=5000)
    assert isinstance(view.raw_view.real, EditorWidget)
    assert not doc.modified


def test_problems_are_placed_in_the_text_once_it_arrives(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from inspector.ui.document import open_document as document_module

    threads: list[int] = []
    real = document_module.validate
    value = orjson.loads(_big_backtrace())
    value["threads"]["5"]["stack"][2]["line"] = "three"  # a line that is not a number
    submission = load_bytes(orjson.dumps(value), source_name="big.json")

    def counted(sub: object) -> object:  # this document's validations only (an earlier test's may still start)
        if sub is submission:
            threads.append(threading.get_ident())
        return real(sub)

    monkeypatch.setattr(document_module, "validate", counted)
    doc = OpenDocument(submission)
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    pointer = "/threads/5/stack/2/line"
    assert any(p.pointer == pointer for p in doc.problems)
    # validated once, on a worker thread of this process, over the tree the window holds (no second copy)
    assert len(threads) == 1 and threads[0] != threading.get_ident()
    assert not doc.has_text and doc.problem_locations == {}  # not made just to place the problems
    with qtbot.waitSignal(doc.problems_changed, timeout=30000):
        doc.prepare_text()
    where = doc.problem_locations[pointer]
    assert doc.text[where.start : where.end] == '"three"'


def test_an_edit_refreshes_a_big_documents_view_in_the_next_turn(qtbot, big_doc) -> None:
    doc, _data = big_doc
    view = DocumentView(doc)
    qtbot.addWidget(view)
    threads = view.threads_view.model()
    before = threads.index(0, 0).data()
    doc.apply_edits([Edit("set", "/threads/0/name", "renamed")], "rename")
    doc.apply_edits([Edit("set", "/threads/0/name", "renamed twice")], "rename")  # edits in a row: one refresh
    assert threads.index(0, 0).data() == before  # not yet: the edits' own work ran alone
    qtbot.waitUntil(lambda: "renamed twice" in str(view.threads_view.model().index(0, 0).data()), timeout=5000)


def test_the_header_says_validating_until_the_problems_arrive(qtbot, big_doc) -> None:
    doc, _data = big_doc
    view = DocumentView(doc)
    qtbot.addWidget(view)
    assert doc.validating and "validating…" in view.header.text()
    qtbot.waitUntil(lambda: not doc.validating, timeout=30000)
    qtbot.waitUntil(lambda: "validating" not in view.header.text(), timeout=5000)
    assert "no problems" in view.header.text() or "info" in view.header.text()
