"""Sending from the window on a machine without an OS keyring (keyring's ``fail`` backend), driven by clicks and keys.

A profile without a secret saves; a secret kept for the session or read from an environment variable goes out; an
ad-hoc URL sends without a profile; the panel and the dialog explain the missing keyring and its fix. The answer
names the real target and belongs to the document it was sent from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit, QPushButton

from inspector.formats import load_path
from inspector.net import profiles as profiles_module
from inspector.net.history import History
from inspector.net.profiles import NO_KEYRING_HELP, Profile, ProfileStore
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.send.profiles_dialog import ProfilesDialog
from inspector.ui.panels.send.send_panel import SendPanel
from inspector.ui.workers import wait_all
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
TOKEN = "feedfacefeedfacefeedfacefeedface"

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


@pytest.fixture(autouse=True)
def no_keyring() -> Iterator[None]:
    keyring.set_keyring(fail.Keyring())
    yield
    profiles_module._session.clear()


@pytest.fixture
def server() -> Iterator[FaultServer]:
    srv = FaultServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    db = History(tmp_path / "history.sqlite3")
    yield db
    wait_all(10000)
    db.close()


def _document() -> OpenDocument:
    return OpenDocument(load_path(str(ROLLBAR), format="rollbar"), path=ROLLBAR)


def _click(qtbot, widget) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def _type(qtbot, edit: QLineEdit, text: str) -> None:  # type: ignore[no-untyped-def]
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


def _ok(qtbot, dialog: ProfilesDialog) -> None:  # type: ignore[no-untyped-def]
    box = dialog.findChild(QDialogButtonBox)
    _click(qtbot, box.button(QDialogButtonBox.StandardButton.Ok))


def _new_profile_in_dialog(qtbot, base_url: str) -> ProfilesDialog:  # type: ignore[no-untyped-def]
    dialog = ProfilesDialog(ProfileStore())
    qtbot.addWidget(dialog)
    dialog.show()
    _click(qtbot, dialog.findChild(QPushButton, "addProfile"))
    _type(qtbot, dialog.name_edit, "receiver")
    _type(qtbot, dialog.base_edit, base_url)
    return dialog


def test_the_dialog_explains_and_a_profile_without_a_secret_saves(qtbot, server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    dialog = _new_profile_in_dialog(qtbot, server.url)
    assert dialog.keyring_help.isVisible() and dialog.keyring_help.text() == NO_KEYRING_HELP
    for fix in ("gnome-keyring", "KWallet", "keyrings.alt", "session", "ROLLBAR_TOKEN"):
        assert fix in NO_KEYRING_HELP
    keyring_item = dialog.storage_combo.model().item(0)  # type: ignore[attr-defined]
    assert not keyring_item.isEnabled()  # the keyring choice is off, with the reason
    assert dialog.storage_combo.currentData() == "session"
    _ok(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert [p.name for p in ProfileStore().load()] == ["receiver"]


def test_session_secret_is_used_and_never_written(qtbot, server: FaultServer, history: History) -> None:  # type: ignore[no-untyped-def]
    dialog = _new_profile_in_dialog(qtbot, server.url)
    _type(qtbot, dialog.secret_edit, TOKEN)
    _ok(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert TOKEN not in ProfileStore().path.read_text(encoding="utf-8")
    assert ProfileStore().get("receiver").find_secret() == (TOKEN, "session")

    document = _document()
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.show()
    panel.document_changed(document)
    assert panel.keyring_note.isVisible() and "keyrings.alt" in panel.keyring_note.text()
    assert panel.profile_combo.currentData() == "receiver"
    assert "Secret of 'receiver': kept for this session (memory)" in panel.request_view.toPlainText()
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        _click(qtbot, panel.send_button)
    assert server.requests[-1].header("X-Rollbar-Access-Token") == TOKEN
    assert "Accepted by the local receiver" in panel.response_status.text()
    assert "rollbar.com" not in panel.response_status.text()  # no vendor link for a host that is not the vendor's


def test_secret_from_an_environment_variable(qtbot, server: FaultServer, history: History, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = _new_profile_in_dialog(qtbot, server.url)
    dialog.storage_combo.setFocus()
    qtbot.keyClick(dialog.storage_combo, Qt.Key.Key_End)  # "from an environment variable"
    assert dialog.storage_combo.currentData() == "env"
    assert dialog.env_edit.isVisible() and dialog.env_edit.text() == "ROLLBAR_TOKEN"
    assert not dialog.secret_edit.isEnabled()
    _ok(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = json.loads(ProfileStore().path.read_text(encoding="utf-8"))
    assert saved["profiles"][0]["secret_env"] == "ROLLBAR_TOKEN"

    monkeypatch.setenv("ROLLBAR_TOKEN", TOKEN)
    document = _document()
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.show()
    panel.document_changed(document)
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        _click(qtbot, panel.send_button)
    assert server.requests[-1].header("X-Rollbar-Access-Token") == TOKEN
    assert TOKEN not in panel.request_view.toPlainText()
    assert "Secret of 'receiver': from $ROLLBAR_TOKEN" in panel.request_view.toPlainText()


def test_adhoc_url_send_without_a_profile(qtbot, server: FaultServer, history: History, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ROLLBAR_TOKEN", TOKEN)
    document = _document()
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.show()
    panel.document_changed(document)
    assert panel.adhoc and panel.url_row.isVisible()  # no profile at all: the URL entry is chosen
    _type(qtbot, panel.url_edit, server.url)
    _type(qtbot, panel.adhoc_secret, "$ROLLBAR_TOKEN")
    qtbot.waitUntil(lambda: panel.request_view.toPlainText().startswith(f"POST {server.url}/api/1/item/"), timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        _click(qtbot, panel.send_button)
    assert server.requests[-1].header("X-Rollbar-Access-Token") == TOKEN
    assert "Accepted by the local receiver" in panel.response_status.text()
    (entry,) = history.page(0, 5)
    assert entry.profile == server.url and entry.ok


def test_a_profile_saved_while_the_keyring_is_missing_keeps_the_file_clean(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = ProfileStore()
    store.put(Profile("plain", kind="rollbar", base_url="http://127.0.0.1:9"), secret="")
    with pytest.raises(profiles_module.InspectorError) as refused:
        store.put(Profile("kept", kind="rollbar"), secret=TOKEN)  # asked for the keyring, which does not exist
    assert str(refused.value) == NO_KEYRING_HELP
    assert [p.name for p in store.load()] == ["plain", "kept"]  # the profile itself was saved
    assert TOKEN not in store.path.read_text(encoding="utf-8")


def test_the_response_pane_belongs_to_its_document(qtbot, server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui.window.main_window import MainWindow

    ProfileStore().put(Profile("receiver", kind="rollbar", base_url=server.url), secret="")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.open_submission(load_path(str(ROLLBAR), format="rollbar"), "first")
    window.open_submission(load_path(str(ROLLBAR), format="rollbar"), "second")
    window.show_panel("send")
    panel = window.panel_widget("send")
    assert isinstance(panel, SendPanel)
    bar = window.tabs.tabBar()
    _click_tab = lambda i: qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())  # noqa: E731
    _click_tab(0)
    qtbot.waitUntil(panel.send_button.isEnabled, timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        _click(qtbot, panel.send_button)
    assert "Accepted by the local receiver" in panel.response_status.text()
    _click_tab(1)  # the second document sent nothing: no answer shown
    assert "Nothing sent from this document yet" in panel.response_status.text()
    assert panel.response_body.toPlainText() == ""
    _click_tab(0)  # back: the first document's last answer
    assert "Accepted by the local receiver" in panel.response_status.text()
    window.close()
