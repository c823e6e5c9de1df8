"""The Capture panel: the inbox model, a real receiver on 127.0.0.1 filling it live, opening, resending."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QModelIndex, Qt

from inspector.formats.base import redaction_placeholder
from inspector.net.store import CaptureRecord, CaptureStore
from inspector.ui.panels.capture.capture_panel import CapturePanel
from inspector.ui.panels.capture.inbox_model import CaptureModel, RecordRole
from inspector.ui.workers import wait_all
from tests.conftest import CORPUS

RB_JSON = (CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json").read_bytes()
RB_TOKEN = "aaaabbbbccccddddeeeeffff00001111"
PLACEHOLDER = redaction_placeholder(len(RB_TOKEN)).encode()
PROFILE_TOKEN = "0123456789abcdef0123456789ab7e57"  # the resend must use the profile's own token


def make_record(store: CaptureStore, n: int, **kw: object) -> CaptureRecord:
    base = {
        "id": store.new_id(1795373164 + n),
        "time": 1795373164.0 + n,
        "api": "rollbar",
        "method": "POST",
        "target": "/api/1/item/",
        "size": 100 * n,
        "status": 200,
        "kind": "trace",
        "exception": f"E{n}: boom",
    }
    base.update(kw)
    return CaptureRecord(**base)  # type: ignore[arg-type]


def test_model_passes_the_model_tester_and_is_lazy(qtmodeltester, tmp_path: Path) -> None:
    store = CaptureStore(tmp_path)
    model = CaptureModel()
    records = [make_record(store, n) for n in range(CaptureModel.BATCH + 50)]
    model.set_records(records)
    assert model.rowCount() == CaptureModel.BATCH and model.canFetchMore(QModelIndex())
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == CaptureModel.BATCH + 50 and not model.canFetchMore(QModelIndex())
    newest = model.index(0, CaptureModel.COL_EXCEPTION)
    assert newest.data() == f"E{CaptureModel.BATCH + 49}: boom"  # newest first
    model.add(make_record(store, 999, status=422, errors=2, api="backtrace"))
    assert model.rowCount() == CaptureModel.BATCH + 51
    assert model.index(0, CaptureModel.COL_API).data() == "Backtrace"
    assert model.index(0, CaptureModel.COL_STATUS).data() == "422 · 2 err"
    assert model.index(0, CaptureModel.COL_STATUS).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, 0).data(RecordRole).status == 422
    model.remove(0)
    qtmodeltester.check(model)


def test_empty_model(qtmodeltester) -> None:
    model = CaptureModel()
    qtmodeltester.check(model)
    assert model.rowCount() == 0 and not model.canFetchMore(QModelIndex())


@pytest.fixture
def panel(qtbot, tmp_path: Path):
    opened: list[tuple[CaptureRecord, bytes]] = []
    widget = CapturePanel(CaptureStore(tmp_path / "inbox"), lambda rec, raw: opened.append((rec, raw)), port=0)
    widget.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    yield widget
    widget.shutdown()
    wait_all()


def start(qtbot, panel: CapturePanel) -> str:
    with qtbot.waitSignal(panel.bridge.started, timeout=10_000):
        panel.start_button.click()
    assert panel.start_button.text() == "Stop" and not panel.host_edit.isEnabled()
    assert panel.url_label.text().startswith("listening on http://127.0.0.1:")
    return panel.url_label.text().split()[-1]


def test_live_inbox_fills_as_requests_arrive_and_opens_them(qtbot, panel: CapturePanel) -> None:
    url = start(qtbot, panel)
    assert url in panel.snippet_text.toPlainText()  # the snippets follow the real port
    response = httpx.post(url + "/api/1/item/", content=RB_JSON, headers={"X-Rollbar-Access-Token": RB_TOKEN})
    assert response.json()["err"] == 0
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert panel.model.index(0, CaptureModel.COL_KIND).data() == "trace_chain"
    assert panel.count_label.text() == "1 capture"
    panel.table.selectRow(0)
    assert panel.open_button.isEnabled()
    panel.open_row(panel.current_row())
    ((record, raw),) = panel.opened  # type: ignore[attr-defined]
    # the stored capture: the body as sent but for the token (same length; never on disk)
    assert record.kind == "trace_chain" and raw.endswith(RB_JSON.replace(RB_TOKEN.encode(), PLACEHOLDER))
    assert RB_TOKEN.encode() not in raw
    with qtbot.waitSignal(panel.bridge.stopped, timeout=30_000):
        panel.start_button.click()
    assert panel.start_button.text() == "Start" and panel.url_label.text() == "stopped"
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "/api/1/item/", content=RB_JSON)


def test_inbox_reloads_from_disk(qtbot, tmp_path: Path) -> None:
    store = CaptureStore(tmp_path / "inbox")
    for n in range(3):
        store.save(b"POST / HTTP/1.1\r\n\r\n", make_record(store, n))
    widget = CapturePanel(store, None, port=0)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 3, timeout=5000)
    widget.table.selectRow(0)
    widget.delete_button.click()
    assert widget.model.rowCount() == 2 and len(store.load()) == 2


def test_non_loopback_host_shows_a_red_banner(qtbot, panel: CapturePanel) -> None:
    assert panel.banner.isHidden()
    panel.host_edit.setText("0.0.0.0")
    assert not panel.banner.isHidden() and "reachable from other machines" in panel.banner.text()
    panel.host_edit.setText("127.0.0.1")
    assert panel.banner.isHidden()


def test_busy_port_is_reported(qtbot, panel: CapturePanel) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        panel.port_spin.setValue(busy.getsockname()[1])
        with qtbot.waitSignal(panel.bridge.failed, timeout=10_000):
            panel.start_button.click()
    assert panel.url_label.text().startswith("could not start") and panel.start_button.text() == "Start"
    assert panel.host_edit.isEnabled()


def test_snippet_choice_and_copy(qtbot, panel: CapturePanel) -> None:
    keys = [panel.snippet_combo.itemData(i) for i in range(panel.snippet_combo.count())]
    assert {
        "pyrollbar",
        "rollbar-js",
        "backtrace-python",
        "backtrace-node",
        "crashpad",
        "appcenter-android",
        "appcenter-apple",
        "appcenter-dotnet",
    } <= set(keys)
    panel.snippet_combo.setCurrentIndex(keys.index("crashpad"))
    assert "format=minidump" in panel.snippet_text.toPlainText()
    panel.copy_snippet()
    from PySide6.QtGui import QGuiApplication

    assert "crashpad_handler" in QGuiApplication.clipboard().text()


def test_resend_to_a_profile_pointing_at_a_second_receiver(qtbot, panel: CapturePanel, tmp_path: Path) -> None:
    profiles = pytest.importorskip("inspector.net.profiles")
    from inspector.net.receiver import ReceiverConfig, ReceiverThread

    url = start(qtbot, panel)
    httpx.post(url + "/api/1/item/", content=RB_JSON, headers={"X-Rollbar-Access-Token": RB_TOKEN})
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    other_store = CaptureStore(tmp_path / "other")
    other = ReceiverThread(other_store, ReceiverConfig(host="127.0.0.1", port=0))
    other.start()
    try:
        profile = profiles.Profile(name="local2", kind="rollbar", base_url=other.url)
        profiles.ProfileStore().put(profile, secret=PROFILE_TOKEN)
        panel.table.selectRow(0)
        assert panel.resend_button.isEnabled()
        panel._fill_resend_menu()
        titles = [a.text() for a in panel.resend_menu.actions()]
        assert titles == [f"local2  ({other.url})"]
        results: list = []
        panel.resend_row(0, "local2", on_done=results.append)
        qtbot.waitUntil(lambda: bool(results), timeout=20_000)
        assert results[0].status == 200
        from inspector.net.history import History

        (entry,) = History().page(0, 10)  # a capture's resend is in the history like every send
        assert entry.profile == "local2" and entry.status == 200 and entry.source == "receiver capture"
        qtbot.waitUntil(lambda: len(other_store.load()) == 1, timeout=5000)
        (record,) = other_store.load()
        assert (record.api, record.kind, record.status) == ("rollbar", "trace_chain", 200)
        # the profile's token went out in the header, the capture's placeholder did not travel at all
        assert record.redacted == [{"name": "X-Rollbar-Access-Token header", "last4": "7e57"}]
        resent = other_store.read_raw(record.id)
        assert b'"access_token"' not in resent and PROFILE_TOKEN.encode() not in resent
    finally:
        other.stop()


def test_installed_in_the_main_window_activating_a_capture_opens_a_tab(qtbot) -> None:
    from inspector.ui.panels.capture import install as panel_capture
    from inspector.ui.window.main_window import MainWindow

    store = CaptureStore()  # the default inbox (an isolated data dir in tests)
    raw = (CORPUS / "rollbar" / "pyrollbar-1.5.0_trace.request.http").read_bytes()
    store.save(raw, make_record(store, 1))
    window = MainWindow(install_panels=False)
    qtbot.addWidget(window)
    panel_capture.install(window)
    dock = window.show_panel("capture")
    panel = dock.widget()
    assert isinstance(panel, CapturePanel)
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=5000)
    before = len(window.document_views())
    panel.table.selectRow(0)
    panel.table.activated.emit(panel.model.index(0, 0))
    qtbot.waitUntil(lambda: len(window.document_views()) == before + 1, timeout=10_000)
    document = window.current_document()
    assert document is not None and document.submission.kind == "trace"
    assert window.tabs.tabText(window.tabs.currentIndex()).startswith("Rollbar capture")
    panel.shutdown()
