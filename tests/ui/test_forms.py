"""Structured forms: edits land in the raw text and the trees, undo/redo covers them, models pass the tester."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QDateTime, QTimeZone

from inspector.compose.templates import instantiate
from inspector.ui.document.editor import EditorWidget
from inspector.ui.document.forms import FormsWidget
from inspector.ui.document.forms.models import JsonListModel, KeyValueModel
from inspector.ui.document.open_document import OpenDocument

#: The offscreen platform warns on show(); it is not our warning.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _setup(qtbot, template_id: str) -> tuple[OpenDocument, FormsWidget, EditorWidget]:
    doc = OpenDocument(instantiate(template_id, now=1_800_000_000), title=template_id)
    forms, editor = FormsWidget(), EditorWidget(doc)
    qtbot.addWidget(forms)
    qtbot.addWidget(editor)
    forms.set_document(doc)
    return doc, forms, editor


@pytest.mark.parametrize(
    ("template_id", "pointer"),
    [
        ("rollbar-trace", "/data/body/trace/exception/class"),
        ("appcenter-managed-error", "/logs/0/exception/type"),
        ("backtrace-error", "/attributes/error.type"),
    ],
)
def test_exception_type_edit_reaches_text_trees_and_undo(qtbot, template_id: str, pointer: str) -> None:
    doc, forms, editor = _setup(qtbot, template_id)
    before = editor.text()
    row = forms.field("type")
    row.editor.setText("ZeroDivisionError")
    row.commit()
    assert doc.document.get(pointer) == "ZeroDivisionError"
    assert '"ZeroDivisionError"' in editor.text()
    report = doc.reports[0]
    assert "ZeroDivisionError" in repr(report)  # the trees read the reports
    doc.undo_stack.undo()
    assert editor.text() == before and row.editor.text() != "ZeroDivisionError"
    doc.undo_stack.redo()
    assert row.editor.text() == "ZeroDivisionError"


def test_raw_edit_shows_in_the_form(qtbot) -> None:
    doc, forms, editor = _setup(qtbot, "rollbar-trace")
    doc.replace_text(editor.text().replace('"environment": "qa"', '"environment": "prod"'))
    assert forms.field("environment").editor.text() == "prod"


def test_level_enum_and_timestamp_now_and_uuid(qtbot) -> None:
    doc, forms, _editor = _setup(qtbot, "rollbar-trace")
    level = forms.field("level")
    level.editor.setCurrentText("critical")
    level.commit()
    assert doc.document.get("/data/level") == "critical"
    old_uuid = doc.document.get("/data/uuid")
    forms.field("uuid").regenerate()
    assert doc.document.get("/data/uuid") != old_uuid and len(doc.document.get("/data/uuid")) == 36
    forms.field("timestamp").set_now()
    assert abs(doc.document.get("/data/timestamp") - __import__("time").time()) < 5
    picker = forms.field("timestamp").editor
    picker.setDateTime(QDateTime.fromSecsSinceEpoch(1_700_000_000, QTimeZone.utc()))
    forms.field("timestamp").commit()
    assert doc.document.get("/data/timestamp") == 1_700_000_000
    assert doc.undo_stack.count() == 4


def test_iso_timestamps_for_app_center(qtbot) -> None:
    doc, forms, _editor = _setup(qtbot, "appcenter-handled-error")
    picker = forms.field("timestamp").editor
    picker.setDateTime(QDateTime.fromMSecsSinceEpoch(1_700_000_000_123, QTimeZone.utc()))
    forms.field("timestamp").commit()
    assert doc.document.get("/logs/0/timestamp") == "2023-11-14T22:13:20.123Z"


def test_person_fields_create_the_person_object(qtbot) -> None:
    doc, forms, _editor = _setup(qtbot, "rollbar-message")
    doc.apply_edits([__import__("inspector.formats.jsondoc", fromlist=["Edit"]).Edit("remove", "/data/person")], "x")
    row = forms.field("person")
    row.editor.setText("42")
    row.commit()
    assert doc.document.get("/data/person") == {"id": "42"}


def test_frames_add_remove_reorder_with_undo(qtbot) -> None:
    doc, forms, editor = _setup(qtbot, "rollbar-trace")
    frames = forms.lists["frames"]
    pointer = "/data/body/trace/frames"
    original = [f["method"] for f in doc.document.get(pointer)]
    frames.view.setCurrentIndex(frames.model.index(0))
    frames.move_row(1)
    assert [f["method"] for f in doc.document.get(pointer)] == [original[1], original[0], original[2]]
    assert frames.view.currentIndex().row() == 1
    frames.add()
    assert len(doc.document.get(pointer)) == 4 and doc.document.get(pointer)[2]["method"] == "function"
    frames.view.setCurrentIndex(frames.model.index(0))
    frames.remove()
    assert len(doc.document.get(pointer)) == 3
    for _ in range(3):
        doc.undo_stack.undo()
    assert [f["method"] for f in doc.document.get(pointer)] == original
    assert editor.text() == doc.text


def test_threads_and_binaries_lists(qtbot) -> None:
    doc, forms, _editor = _setup(qtbot, "backtrace-error-threads")
    threads = forms.lists["threads"]
    assert threads.model.rowCount() == 3
    threads.add()
    assert len(doc.document.get("/threads")) == 4
    binaries = forms.lists["binaries"]
    binaries.add()
    assert doc.document.get("/modules")[0]["code_file"]
    doc2, forms2, _ = _setup(qtbot, "appcenter-managed-error")
    assert forms2.lists["binaries"].model.rowCount() == 1
    forms2.lists["threads"].add()
    assert len(doc2.document.get("/logs/0/threads")) == 3


def test_attributes_table_edits(qtbot) -> None:
    doc, forms, _editor = _setup(qtbot, "backtrace-error")
    model = forms.attributes
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "hostname")
    assert model.setData(model.index(row, 1), "qa-2")
    assert doc.document.get("/attributes/hostname") == "qa-2"
    keys = list(doc.document.get("/attributes"))
    assert model.setData(model.index(row, 0), "host")
    assert list(doc.document.get("/attributes"))[row] == "host"  # renamed in place, order kept
    assert len(keys) == len(doc.document.get("/attributes"))
    model.add("custom.flag", True)
    assert doc.document.get("/attributes/custom.flag") is True
    model.remove(model.rowCount() - 1)
    assert "custom.flag" not in doc.document.get("/attributes")


def test_appcenter_batch_root_chooser_and_no_attribute_map(qtbot) -> None:
    _doc, forms, _editor = _setup(qtbot, "appcenter-managed-error")
    assert forms.root.pointer == "/logs/0"
    assert not forms.attributes_view.isEnabled()


def test_models_pass_the_model_tester(qtbot, qtmodeltester) -> None:
    doc = OpenDocument(instantiate("backtrace-error-threads"))
    qtmodeltester.check(KeyValueModel(doc, "/attributes"))
    qtmodeltester.check(JsonListModel(doc, "/threads", "backtrace"))
    qtmodeltester.check(JsonListModel(doc, "/threads/main/stack", "backtrace"))
    qtmodeltester.check(KeyValueModel(None, None))


@pytest.mark.parametrize("stamp", ["1" + "0" * 4000, "1e300"])  # no float holds the first; no QDateTime the second
def test_a_timestamp_too_big_for_a_date_leaves_the_picker_alone(qtbot, stamp: str) -> None:
    doc, forms, editor = _setup(qtbot, "rollbar-trace")
    picker = forms.field("timestamp").editor
    shown = picker.dateTime()
    assert '"timestamp": 1800000000' in editor.text()
    doc.replace_text(editor.text().replace('"timestamp": 1800000000', f'"timestamp": {stamp}'))
    forms.field("timestamp").refresh()
    assert picker.dateTime() == shown
    assert doc.document.get("/data/timestamp") == json.loads(stamp)  # the document keeps the value
