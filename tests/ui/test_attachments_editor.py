"""The attachments panel per API: add (file, drop), edit in place, rename, replace, remove, save out, limits."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from inspector.compose import attachments as A
from inspector.compose.templates import instantiate
from inspector.ui.document.attachments_editor import AttachmentsEditor, AttachmentsModel
from inspector.ui.document.open_document import OpenDocument

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def _panel(qtbot, template_id: str) -> tuple[OpenDocument, AttachmentsEditor]:
    doc = OpenDocument(instantiate(template_id), title=template_id)
    panel = AttachmentsEditor()
    qtbot.addWidget(panel)
    panel.set_document(doc)
    return doc, panel


def test_rollbar_says_it_has_no_attachments(qtbot) -> None:
    doc, panel = _panel(qtbot, "rollbar-trace")
    assert "no attachments" in panel.note.text()
    assert not panel.buttons["add"].isEnabled()
    assert not panel.add_data("a.txt", b"x")
    assert doc.undo_stack.count() == 0


def test_backtrace_add_edit_rename_replace_remove_with_undo(qtbot, tmp_path: Path) -> None:
    doc, panel = _panel(qtbot, "backtrace-error-attachments")
    assert panel.model.rowCount() == 2
    source = tmp_path / "notes.log"
    source.write_bytes(b"first line\n")
    assert panel.add_files([str(source)]) == 1
    part = doc.submission.attachments[-1]
    assert (part.name, part.content_type, part.data) == ("attachment_notes.log", "text/plain", b"first line\n")
    row = panel.model.rowCount() - 1
    panel.table.selectRow(row)
    assert panel.preview_kind == "text"
    panel.text_edit.setPlainText("edited in place\n")
    assert panel.apply_text()
    assert doc.submission.attachments[-1].data == b"edited in place\n"
    assert panel.rename(row, "../../renamed.txt")
    assert doc.submission.attachments[-1].name == "attachment_renamed.txt"
    assert panel.replace_content(row, b"\x00\x01binary")
    panel.table.selectRow(row)
    assert panel.preview_kind == "hex"
    panel.remove(row)
    assert len(doc.submission.attachments) == 2
    for _ in range(5):
        doc.undo_stack.undo()
    assert len(doc.submission.attachments) == 2 and panel.model.rowCount() == 2
    doc.undo_stack.redo()
    assert doc.submission.attachments[-1].name == "attachment_notes.log"


def test_json_attachment_must_stay_json(qtbot) -> None:
    doc, panel = _panel(qtbot, "backtrace-error-attachments")
    panel.table.selectRow(1)
    assert panel.preview_kind == "json"
    panel.text_edit.setPlainText('{"broken": ')
    assert not panel.apply_text()
    assert "not valid JSON" in panel.status.text()
    assert json.loads(doc.submission.attachments[1].data)["user"] == "qa"


def test_appcenter_attachment_is_an_error_attachment_log(qtbot) -> None:
    doc, panel = _panel(qtbot, "appcenter-batch-attachment")
    assert panel.model.rowCount() == 1 and panel.error_combo.count() == 1
    error_id = doc.document.get("/logs/0/id")
    assert panel.add_data("trace.json", b'{"a": 1}')
    log = doc.document.get("/logs/2")
    assert log["type"] == "errorAttachment" and log["errorId"] == error_id
    assert base64.b64decode(log["data"]) == b'{"a": 1}' and log["contentType"] == "application/json"
    assert '"fileName": "trace.json"' in doc.text  # the raw text shows the new log
    assert panel.rename(1, "renamed.json")
    assert doc.document.get("/logs/2/fileName") == "renamed.json"
    panel.remove(1)
    assert len(doc.document.get("/logs")) == 2
    doc.undo_stack.undo()
    assert len(doc.document.get("/logs")) == 3


def test_appcenter_limit_is_enforced_with_a_clear_message(qtbot, monkeypatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    doc, panel = _panel(qtbot, "appcenter-batch-attachment")
    assert not panel.add_data("huge.bin", b"\0" * (A.APPCENTER_MAX_BYTES + 1))
    assert warnings and "7 MB" in warnings[0]
    assert "7 MB" in panel.status.text()
    assert len(doc.document.get("/logs")) == 2
    assert not panel.replace_content(0, b"\0" * (A.APPCENTER_MAX_BYTES + 1))


def test_save_out_sanitises_and_asks_before_overwriting(qtbot, tmp_path: Path, monkeypatch) -> None:
    doc, panel = _panel(qtbot, "backtrace-error")
    panel.add_data("..\\..\\evil/../../x.txt", b"payload")
    row = panel.model.rowCount() - 1
    path = panel.save_out(row, tmp_path)
    assert path == tmp_path / "x.txt" and path.read_bytes() == b"payload"
    assert list(tmp_path.iterdir()) == [path]
    asked: list[str] = []

    def answer_no(*args):
        asked.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", answer_no)
    doc.submission.attachments[-1].data = b"changed"
    panel.reload()
    assert panel.save_out(row, tmp_path) is None and asked
    assert path.read_bytes() == b"payload"
    monkeypatch.setattr(QMessageBox, "question", lambda *args: QMessageBox.StandardButton.Yes)
    assert panel.save_out(row, tmp_path) == path and path.read_bytes() == b"changed"


def test_add_dialog_and_drop(qtbot, tmp_path: Path, monkeypatch) -> None:
    doc, panel = _panel(qtbot, "backtrace-error")
    first, second = tmp_path / "a.png", tmp_path / "b.txt"
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(0x2D6CDF)
    assert image.save(str(first), "PNG")
    second.write_text("hello")
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(first)], ""))
    panel.add_dialog()
    assert doc.submission.attachments[0].content_type == "image/png"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(second))])
    event = QDropEvent(
        QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    panel.dropEvent(event)
    assert [p.filename for p in doc.submission.attachments] == ["a.png", "b.txt"]


def test_attachments_model_passes_the_tester(qtbot, qtmodeltester) -> None:
    doc = OpenDocument(instantiate("backtrace-error-attachments"))
    model = AttachmentsModel()
    model.load(doc)
    qtmodeltester.check(model)
    assert model.index(0, AttachmentsModel.COL_TYPE).data() == "text/plain"
    assert model.index(0, AttachmentsModel.COL_LINK).data() == "attachment_log.txt"
    empty = AttachmentsModel()
    empty.load(None)
    qtmodeltester.check(empty)
