"""The toolkit in the window: Convert dialog, Redact preview dialog (undoable), Compare panel, Export actions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from inspector.formats import load_path, reports
from inspector.formats.base import Part
from inspector.toolkit.convert import convert
from inspector.toolkit.diff import diff_reports
from inspector.toolkit.redact import PLACEHOLDER, plan
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.toolkit import install as panel_toolkit
from inspector.ui.panels.toolkit.convert_dialog import ConvertDialog
from inspector.ui.panels.toolkit.models import ChangesModel, FrameDiffModel, KeyedDiffModel, NotesModel
from inspector.ui.panels.toolkit.redact_dialog import RedactDialog, apply_changes
from inspector.ui.window.main_window import MainWindow
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS

PY_EXC = CORPUS / "backtrace/backtracepython-0.4.3_exception_3-threads.json"
PY_MSG = CORPUS / "backtrace/backtracepython-0.4.3_send_report-message_3-threads.json"
ROLLBAR_PERSON = CORPUS / "rollbar/pyrollbar-1.5.0_trace_person_context_fingerprint.json"
BT_ATTACH = CORPUS / "backtrace/backtracepython-0.4.3_exception_3-threads_attachment.request.http"


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow(install_panels=False)
    panel_toolkit.install(win)
    qtbot.addWidget(win)
    win.resize(1200, 800)
    yield win
    wait_all()


def _open(window: MainWindow, path: Path) -> OpenDocument:
    return window.open_submission(load_path(str(path)), path.name, path)


def test_models_pass_the_model_tester(qtmodeltester) -> None:
    sub = load_path(str(PY_EXC))
    qtmodeltester.check(NotesModel(convert(sub, "rollbar").notes.notes))
    changes = ChangesModel(plan(load_path(str(ROLLBAR_PERSON))))
    assert changes.rowCount() >= 2
    qtmodeltester.check(changes)
    d = diff_reports(reports(sub)[0], reports(load_path(str(PY_MSG)))[0])
    qtmodeltester.check(FrameDiffModel(d.frames))
    qtmodeltester.check(KeyedDiffModel([("thread", k) for k in d.threads]))
    qtmodeltester.check(NotesModel([]))


def test_changes_model_checkboxes_choose_what_is_applied() -> None:
    model = ChangesModel(plan(load_path(str(ROLLBAR_PERSON))))
    first = model.index(0, 0)
    assert model.data(first, Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.setData(first, Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert len(model.selected_changes()) == model.rowCount() - 1


def test_convert_dialog_converts_off_the_gui_thread_and_switches_target(qtbot) -> None:
    dialog = ConvertDialog(load_path(str(PY_EXC)), PY_EXC.name, "rollbar")
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.converted is not None, timeout=10000)
    assert dialog.converted.format == "rollbar" and dialog.open_button.isEnabled()
    assert dialog.lost_count() >= 1  # threads have no place in a Rollbar item
    assert '"trace"' in dialog.preview.toPlainText()
    dialog.target.setCurrentIndex(dialog.target.findData("appcenter"))
    qtbot.waitUntil(lambda: dialog.converted is not None and dialog.converted.format == "appcenter", timeout=10000)
    assert "result valid" in dialog.status.text()


def test_convert_menu_lists_every_json_format_with_its_title(window: MainWindow) -> None:
    from inspector.formats import JSON_FORMATS, get_format

    assert tuple((name, get_format(name).TITLE) for name in JSON_FORMATS) == panel_toolkit.CONVERT_TARGETS
    menu = window.findChild(type(window.menu("&Tools")), "convertMenu")
    assert [a.text() for a in menu.actions()] == [f"{get_format(n).TITLE}…" for n in JSON_FORMATS]


def test_convert_to_opens_the_result_as_a_new_document(qtbot, window: MainWindow, monkeypatch) -> None:
    _open(window, PY_EXC)

    def accept(self: ConvertDialog) -> int:
        qtbot.waitUntil(lambda: self.converted is not None, timeout=10000)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConvertDialog, "exec", accept)
    window.findChild(type(window.menu("&Tools").actions()[0]), "convertTo_appcenter").trigger()
    document = window.current_document()
    assert document.format == "appcenter" and "App Center" in document.title
    assert len(window.document_views()) == 2
    assert not [p for p in document.problems if p.severity == "error"]


def test_redact_dialog_previews_and_applies_as_one_undo_step(qtbot, window: MainWindow, monkeypatch) -> None:
    document = _open(window, ROLLBAR_PERSON)
    dialog = RedactDialog(document)
    qtbot.addWidget(dialog)
    pointers = [c.pointer for c in dialog.model.rows]
    assert "/access_token" in pointers and "/data/person/email" in pointers
    assert dialog.before.toPlainText() and dialog.after.toPlainText()  # the first change is shown
    row = pointers.index("/data/person/email")
    dialog.table.selectRow(row)
    assert "alice@example.com" in dialog.before.toPlainText() and "user@example.invalid" in dialog.after.toPlainText()
    assert '"id"' in dialog.after.toPlainText()  # shown inside its parent object (person)

    monkeypatch.setattr(RedactDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert RedactDialog.redact_current(window) == len(pointers)
    assert document.document.get("/access_token") == PLACEHOLDER
    assert document.document.get("/data/person/email") == "user@example.invalid"
    assert "alice@example.com" not in document.text
    document.undo_stack.undo()
    assert document.document.get("/data/person/email") == "alice@example.com"
    assert document.document.get("/access_token") == "aaaabbbbccccddddeeeeffff00001111"


def test_redacting_attachments_goes_through_the_document(qtbot, window: MainWindow) -> None:
    document = _open(window, BT_ATTACH)
    document.set_attachments(
        [
            *document.submission.attachments,
            Part("attachment_s.log", b"pw=hunter2 mail bob@example.org", filename="s.log"),
        ],
        "add",
    )
    changes = [c for c in plan(document.submission) if c.where == "attachment"]
    assert changes
    assert apply_changes(document, changes) == len(changes)
    assert all(b"hunter2" not in p.data for p in document.submission.attachments)
    document.undo_stack.undo()
    assert any(b"hunter2" in p.data for p in document.submission.attachments)


def test_compare_panel_aligns_frames_of_two_open_documents(qtbot, window: MainWindow) -> None:
    a, b = _open(window, PY_EXC), _open(window, PY_MSG)
    window.findChild(type(window.menu("&Tools").actions()[0]), "compareAction").trigger()
    dock = window.panel("diff")
    assert dock is not None and not dock.isHidden()
    view = dock.widget()
    view.set_pair(a, b)
    view.compare()
    qtbot.waitUntil(lambda: view.diff is not None, timeout=10000)
    assert "Different" in view.verdict.text()
    assert view.frames.rowCount() == len(view.diff.frames) >= 3
    statuses = [view.frames.row_object(r).status for r in range(view.frames.rowCount())]
    assert statuses[-1] == "changed" and "removed" in statuses
    assert view.items.rowCount() > 0
    view.set_pair(a, a)
    view.diff = None
    view.compare()
    qtbot.waitUntil(lambda: view.diff is not None, timeout=10000)
    assert "Identical" in view.verdict.text()


def test_export_actions_write_files(window: MainWindow, tmp_path: Path) -> None:
    _open(window, PY_EXC)
    html = panel_toolkit.export_current(window, "html", str(tmp_path / "s.html"))
    assert html is not None and "KeyError" in html.read_text()
    bundle = panel_toolkit.export_current(window, "bundle", str(tmp_path / "b.zip"))
    assert bundle is not None and bundle.stat().st_size > 0
    assert panel_toolkit.export_current(window, "markdown", str(tmp_path / "no/such/dir/s.md")) is None
