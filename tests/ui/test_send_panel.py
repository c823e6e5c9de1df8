"""The Send panel, the profiles dialog and the history view, against a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLineEdit

from inspector.formats import load_bytes, load_path
from inspector.formats.base import RequestSpec
from inspector.net.client import Exchange
from inspector.net.history import History
from inspector.net.profiles import KEYRING_SERVICE, Profile, ProfileStore
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.panels.history.history_view import PAGE, HistoryModel, HistoryView, history_curl
from inspector.ui.panels.send.profiles_dialog import ProfilesDialog
from inspector.ui.panels.send.request import InsecureSendDialog
from inspector.ui.panels.send.send_panel import SendPanel
from inspector.ui.workers import wait_all
from tests.net.fault_server import FaultServer

CORPUS = Path(__file__).parent.parent / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
TOKEN = "0123456789abcdef0123456789abcdef"


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


@pytest.fixture
def document() -> OpenDocument:
    return OpenDocument(load_path(str(ROLLBAR), format="rollbar"), path=ROLLBAR)


def make_panel(qtbot, document: OpenDocument | None, history: History, base_url: str, **profile: object) -> SendPanel:  # type: ignore[no-untyped-def]
    ProfileStore().put(Profile("local", kind="rollbar", base_url=base_url, **profile), secret=TOKEN)  # type: ignore[arg-type]
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.document_changed(document)
    return panel


def test_preview_masks_the_secret(qtbot, server: FaultServer, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.url)
    text = panel.request_view.toPlainText()
    assert text.startswith(f"POST {server.url}/api/1/item/")
    assert "X-Rollbar-Access-Token: ••••••••" in text and TOKEN not in text
    assert "Body: " in text and panel.send_button.isEnabled()
    assert not panel.warning_label.isVisible()
    panel.gzip_check.setChecked(True)
    qtbot.waitUntil(lambda: "Content-Encoding: gzip" in panel.request_view.toPlainText())


def test_send_shows_the_answer_and_records_it(
    qtbot, server: FaultServer, history: History, document: OpenDocument
) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.url)
    recorded_signal = panel.recorded
    with qtbot.waitSignal(recorded_signal, timeout=10000) as recorded, qtbot.waitSignal(panel.sent, timeout=10000):
        assert panel.send()
        assert not panel.send_button.isEnabled() and panel.cancel_button.isEnabled()
    exchange = panel.last_exchange
    assert exchange is not None and exchange.ok
    assert server.requests[-1].header("X-Rollbar-Access-Token") == TOKEN
    assert "200 OK" in panel.response_status.text() and "Accepted by the local receiver" in panel.response_status.text()
    assert '"uuid"' in panel.response_body.toPlainText() and "\n  " in panel.response_body.toPlainText()
    assert "Content-Type: application/json" in panel.response_headers.toPlainText()
    assert recorded.args[0] == history.page(0, 1)[0].id
    assert panel.send_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_failure_is_explained_and_the_draft_kept(qtbot, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    before = document.document.to_bytes()  # type: ignore[union-attr]
    panel = make_panel(qtbot, document, history, "http://127.0.0.1:9")
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    assert "No answer (refused)" in panel.response_status.text()
    assert "was refused" in panel.response_status.text() and "draft is unchanged" in panel.response_status.text()
    assert document.document.to_bytes() == before and not document.modified  # type: ignore[union-attr]
    assert history.page(0, 1)[0].failure_kind == "refused"


def test_http_error_is_explained(qtbot, server: FaultServer, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.fault("422"), max_attempts=1)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    assert "422" in panel.response_status.text() and "semantically invalid" in panel.response_status.text()
    assert panel.status_label.text().startswith("Not accepted")


def test_retry_countdown_is_visible(qtbot, server: FaultServer, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.fault("429"), max_attempts=2)
    texts: list[str] = []
    panel._bridge.waiting.connect(lambda *_a: texts.append(panel.status_label.text()))
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    assert any("retrying in 1 s (attempt 2 of 2)" in t for t in texts), texts
    assert len(server.requests) == 2
    assert "waited 1 s" in panel.response_status.text()


def test_cancel(qtbot, server: FaultServer, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.fault("timeout"), timeout=30.0)
    panel.timeout_spin.setValue(2.0)
    panel.send()
    qtbot.waitUntil(lambda: len(server.requests) == 1, timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=1000):
        panel.cancel_button.click()
    assert panel.status_label.text().startswith("Cancelled") and panel.send_button.isEnabled()
    assert panel.last_exchange is None


def test_plain_http_to_a_remote_host_asks_first(qtbot, history: History, document: OpenDocument, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    monkeypatch.setattr(InsecureSendDialog, "confirm", classmethod(lambda cls, parent, msg: asked.append(msg) or False))
    panel = make_panel(qtbot, document, history, "http://crash.example.com")
    assert panel.warning_label.isVisibleTo(panel) and "plain http" in panel.warning_label.text()
    assert panel.send() is False  # declined: nothing leaves the machine
    assert asked and "crash.example.com" in asked[0]
    assert panel.status_label.text() == "Not sent." and history.count() == 0


def test_copy_as_curl(qtbot, server: FaultServer, history: History, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.url)
    panel.copy_curl()
    text = QGuiApplication.clipboard().text()
    assert '"$ROLLBAR_TOKEN"' in text and TOKEN not in text and "--data-binary @-" in text
    panel.copy_curl(inline_secrets=True)
    assert TOKEN in QGuiApplication.clipboard().text()


def test_no_document_no_profile(qtbot, history: History) -> None:  # type: ignore[no-untyped-def]
    panel = SendPanel(lambda: None, history=history)
    qtbot.addWidget(panel)
    assert "open a payload first" in panel.request_view.toPlainText()
    assert not panel.send_button.isEnabled() and panel.send() is False


def test_profile_of_another_format(qtbot, history: History, document: OpenDocument, server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    ProfileStore().put(Profile("bt", kind="backtrace-direct", base_url=server.url), secret="t")
    panel = SendPanel(lambda: document, history=history)
    qtbot.addWidget(panel)
    panel.reload_profiles(select="bt")
    assert "sends backtrace payloads; this one is rollbar" in panel.request_view.toPlainText()


# ---------------------------------------------------------------------------------------------- profiles dialog


def test_profiles_dialog_round_trip(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = ProfileStore()
    store.put(Profile("old", kind="rollbar"), secret="old-secret")
    dialog = ProfilesDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.secret_edit.text() == "old-secret"
    dialog.show_secret.setChecked(True)
    assert dialog.secret_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.add_profile()
    dialog.name_edit.setText("App Center staging")
    dialog.name_edit.textEdited.emit("App Center staging")
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("appcenter"))
    assert dialog.secret_label.text() == "App secret:" and dialog.install_edit.text()
    dialog.base_edit.setText("http://127.0.0.1:8000")
    dialog.base_edit.textEdited.emit("http://127.0.0.1:8000")
    dialog.secret_edit.setText("app-secret-value")
    dialog.secret_edit.textEdited.emit("app-secret-value")
    dialog.list.setCurrentRow(0)
    dialog.name_edit.setText("renamed")
    dialog.name_edit.textEdited.emit("renamed")
    dialog.save()
    names = [p.name for p in store.load()]
    assert names == ["renamed", "App Center staging"]
    ac = store.get("App Center staging")
    assert ac.kind == "appcenter" and ac.base_url == "http://127.0.0.1:8000" and len(ac.install_id) == 36
    assert keyring.get_password(KEYRING_SERVICE, "App Center staging/app-secret") == "app-secret-value"
    assert keyring.get_password(KEYRING_SERVICE, "renamed/token") == "old-secret"
    assert keyring.get_password(KEYRING_SERVICE, "old/token") is None
    text = store.path.read_text()
    assert "app-secret-value" not in text and "old-secret" not in text
    dialog.remove_profile()  # removes the current one ("renamed")
    dialog.save()
    assert [p.name for p in store.load()] == ["App Center staging"]
    assert keyring.get_password(KEYRING_SERVICE, "renamed/token") is None


def test_panel_opens_the_dialog_through_its_entry_point(qtbot, history: History, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def fake_edit(cls, parent, store):  # type: ignore[no-untyped-def]
        store.put(Profile("new one", kind="rollbar"), secret="x")
        return True

    monkeypatch.setattr(ProfilesDialog, "edit", classmethod(fake_edit))
    panel = SendPanel(lambda: None, history=history)
    qtbot.addWidget(panel)
    assert panel.profile_combo.count() == 1 and panel.adhoc  # only "URL without a profile"
    panel.profiles_button.click()
    assert panel.profile_combo.count() == 2 and panel.profile_combo.currentData() == "new one"


# ---------------------------------------------------------------------------------------------- history


def _fake_exchange(n: int) -> Exchange:
    spec = RequestSpec(
        "POST",
        f"http://127.0.0.1:1/api/1/item/?n={n}",
        [("X-Rollbar-Access-Token", TOKEN)],
        ROLLBAR.read_bytes(),
        secrets=[TOKEN],
    )
    return Exchange(
        request=spec, status=200 if n % 2 else 500, reason="OK", body=b'{"err":0}', elapsed=0.01, attempts=1
    )


def test_history_model(qtbot, qtmodeltester, history: History) -> None:  # type: ignore[no-untyped-def]
    for n in range(PAGE + 20):
        history.record(_fake_exchange(n), profile="p", target_kind="rollbar", format="rollbar", source=f"f{n}.json")
    model = HistoryModel(history)
    assert model.rowCount() == PAGE  # lazy: one page
    assert model.canFetchMore(model.index(-1, -1))
    model.fetchMore(model.index(-1, -1))
    assert model.rowCount() == PAGE + 20 and not model.canFetchMore(model.index(-1, -1))
    qtmodeltester.check(model)
    first = model.index(0, HistoryModel.COL_SOURCE)
    assert first.data() == f"f{PAGE + 19}.json"
    assert model.index(0, HistoryModel.COL_STATUS).data() == "200"
    assert model.index(1, HistoryModel.COL_STATUS).data() == "500"
    assert model.headerData(HistoryModel.COL_RESULT, Qt.Orientation.Horizontal) == "Result"


def test_history_view_open_resend_curl(qtbot, history: History, server: FaultServer, document: OpenDocument) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.url, token_in_body=True)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    opened: list[tuple[int, bytes]] = []
    resent: list[int] = []
    view = HistoryView(
        history, open_payload=lambda e, p: opened.append((e.id, p)), resend=lambda e, p: resent.append(e.id)
    )
    qtbot.addWidget(view)
    assert view.model.rowCount() == 1 and not view.open_button.isEnabled()
    view.select_row(0)
    assert view.open_button.isEnabled()
    assert "200 in" in view.detail.toPlainText() and TOKEN not in view.detail.toPlainText()
    view.open_button.click()
    reopened = load_bytes(opened[0][1], format="rollbar")
    assert reopened.document is not None and reopened.document.value["data"] == document.document.value["data"]  # type: ignore[union-attr]
    view.resend_button.click()
    assert resent == [opened[0][0]]
    view.copy_curl()
    command = QGuiApplication.clipboard().text()
    assert "${ROLLBAR_TOKEN}" in command and TOKEN not in command
    assert history_curl(history, view.selected_entry()) == command  # type: ignore[arg-type]


def test_resend_from_history_through_the_panel(
    qtbot, history: History, server: FaultServer, document: OpenDocument
) -> None:  # type: ignore[no-untyped-def]
    panel = make_panel(qtbot, document, history, server.url)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    entry = history.page(0, 1)[0]
    submission = load_bytes(history.payload(entry.id), format="rollbar")
    with qtbot.waitSignal(panel.finished, timeout=10000):
        assert panel.send_submission(submission, "local", source=entry.source)
    assert len(server.requests) == 2
    assert server.requests[1].header("X-Rollbar-Access-Token") == TOKEN  # the secret comes from the keyring again
    assert history.count() == 2


def test_panels_install_into_the_main_window(qtbot, server: FaultServer) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui.window.main_window import MainWindow

    ProfileStore().put(Profile("local", kind="rollbar", base_url=server.url), secret=TOKEN)
    window = MainWindow()
    qtbot.addWidget(window)
    assert "send" not in window.panel_errors and "history" not in window.panel_errors
    assert window.panel("send") is not None and window.panel("history") is not None
    # both panels are built when their dock is first shown (the start does not build them): build them now
    assert window.findChild(SendPanel) is None and window.findChild(HistoryView) is None
    window.panel_widget("send")
    window.panel_widget("history")
    panel = window.findChild(SendPanel)
    history_view = window.findChild(HistoryView)
    assert panel is window.panel_widget("send") and history_view is window.panel_widget("history")
    window.open_submission(load_path(str(ROLLBAR), format="rollbar"), "rollbar item")
    qtbot.waitUntil(lambda: panel.send_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(panel.finished, timeout=10000):
        panel.send()
    qtbot.waitUntil(lambda: history_view.model.rowCount() >= 1, timeout=5000)
    history_view.select_row(0)
    tabs = window.tabs.count()
    history_view.open_button.click()
    assert window.tabs.count() == tabs + 1
