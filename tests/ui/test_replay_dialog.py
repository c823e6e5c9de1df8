"""The Replay dialog against the real local receiver and a real 429-then-200 server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.net.profiles import Profile, ProfileStore
from inspector.services.replay import RESULTS_NAME, ItemResult
from inspector.ui.panels.replay import replay_dialog as replay_dialog_module
from inspector.ui.panels.replay.replay_dialog import ACCEPTED, BAD_INPUT, SENDING, SKIPPED, ReplayDialog, ReplayModel
from tests.net.test_replay import ROLLBAR, TOKEN, Receiver, TooBusy

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform, on showing a window


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    rx = Receiver(tmp_path / "inbox")
    yield rx
    rx.thread.stop()


def make_folder(tmp_path: Path, count: int, *, broken: bool = False) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(count):
        shutil.copy(ROLLBAR, folder / f"item{n}.json")
    if broken:
        (folder / "broken.json").write_text("{ not json")
    return folder


def make_dialog(qtbot, base_url: str, folder: Path | None = None, **kwargs: object) -> ReplayDialog:  # type: ignore[no-untyped-def]
    ProfileStore().put(Profile("local", kind="rollbar", base_url=base_url), secret=TOKEN)
    dialog = ReplayDialog.launch(None, folder=folder, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    return dialog


def finish(qtbot, dialog: ReplayDialog, timeout: int = 10000) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not dialog.running and dialog.summary is not None, timeout=timeout)


def statuses(dialog: ReplayDialog) -> list[str]:
    return [row.status for row in dialog.model.rows]


def log_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / RESULTS_NAME).read_text().splitlines()]


def test_model_passes_the_qt_model_tester(qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = ReplayModel()
    qtmodeltester.check(model, force_py=True)
    paths = [tmp_path / f"item{n}.json" for n in range(3)]
    model.set_items(paths)
    model.mark_sending(0)
    line = {"file": str(paths[0]), "ok": True, "status": 200, "summary": "Accepted", "attempts": 2}
    model.set_result(ItemResult(0, paths[0], line, 0))
    model.set_result(ItemResult(1, paths[1], {"file": "x", "status": None, "summary": "bad", "error": "bad input"}, 2))
    model.mark_unsent()
    qtmodeltester.check(model, force_py=True)
    assert [row.status for row in model.rows] == [ACCEPTED, BAD_INPUT, SKIPPED]
    assert model.data(model.index(0, 3)) == "200" and model.data(model.index(0, 4)) == "2"
    assert model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole) == str(paths[0])
    assert model.headerData(5, Qt.Orientation.Horizontal) == "Summary"


def test_replays_a_folder_off_the_gui_thread(  # type: ignore[no-untyped-def]
    qtbot, receiver: Receiver, tmp_path: Path, monkeypatch
) -> None:
    threads: list[threading.Thread] = []
    real_send = replay_dialog_module.send_path

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real_send(*args, **kwargs)

    monkeypatch.setattr(replay_dialog_module, "send_path", spy)
    folder = make_folder(tmp_path, 3, broken=True)
    dialog = make_dialog(qtbot, receiver.url, folder)
    dialog.set_rate(50, "per second")
    with qtbot.waitSignal(dialog.finished_replay, timeout=10000):
        assert dialog.start()
        assert not dialog.start_button.isEnabled() and dialog.cancel_button.isEnabled()
    assert threads and threading.main_thread() not in threads
    assert statuses(dialog) == [BAD_INPUT, ACCEPTED, ACCEPTED, ACCEPTED]
    assert receiver.count == 3
    assert dialog.progress.value() == dialog.progress.maximum() == 4
    assert [line["status"] for line in log_lines(folder)] == [None, 200, 200, 200]
    assert dialog.summary_label.text().startswith("4 payloads: 3 accepted, 0 refused with an HTTP error, 1 not sent")
    assert str(folder / RESULTS_NAME) in dialog.summary_label.text()
    assert dialog.start_button.isEnabled() and not dialog.pause_button.isEnabled()


def test_pause_really_pauses_then_resumes(qtbot, receiver: Receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(tmp_path, 3)
    dialog = make_dialog(qtbot, receiver.url, folder)
    dialog.set_rate(2, "per second")  # 0.5 s between sends: the pause lands in the gap
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.model.count(ACCEPTED) == 1, timeout=5000)
    dialog.pause()
    assert dialog.pause_button.text() == "Resume" and "Paused" in dialog.status_label.text()
    qtbot.waitUntil(lambda: dialog.model.count(SENDING) == 0, timeout=5000)
    sent = receiver.count
    assert dialog._bridge is not None
    with qtbot.assertNotEmitted(dialog._bridge.started, wait=800):  # paused: no item starts for 0.8 s
        pass
    assert receiver.count == sent < 3 and dialog.running
    dialog.resume()
    assert dialog.pause_button.text() == "Pause"
    finish(qtbot, dialog)
    assert statuses(dialog) == [ACCEPTED] * 3 and receiver.count == 3 and len(log_lines(folder)) == 3


def test_cancel_stops_and_keeps_the_log(qtbot, receiver: Receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(tmp_path, 4)
    dialog = make_dialog(qtbot, receiver.url, folder)
    dialog.set_rate(2, "per second")
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.model.count(ACCEPTED) == 1, timeout=5000)
    dialog.cancel()
    finish(qtbot, dialog)
    assert dialog.summary is not None and dialog.summary.cancelled
    assert statuses(dialog)[0] == ACCEPTED and statuses(dialog)[-1] == SKIPPED
    assert receiver.count == len(log_lines(folder)) == dialog.model.count(ACCEPTED) < 4
    assert "(cancelled)" in dialog.summary_label.text() and dialog.status_label.text() == "Cancelled."


def test_retries_on_429_and_shows_the_wait(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = TooBusy(busy_for=1, retry_after="1")
    try:
        folder = make_folder(tmp_path, 1)
        dialog = make_dialog(qtbot, server.url, folder)
        assert dialog.retries_spin.value() == 2  # the profile's 3 attempts
        assert dialog.start()
        qtbot.waitUntil(lambda: "asks to wait" in dialog.status_label.text(), timeout=5000)
        finish(qtbot, dialog)
        assert server.hits == 2
        assert statuses(dialog) == [ACCEPTED] and dialog.model.rows[0].attempts == 2
        assert log_lines(folder)[0]["attempts"] == 2
    finally:
        server.stop()


def test_no_retries_when_set_to_zero(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    server = TooBusy(busy_for=1, retry_after="0")
    try:
        folder = make_folder(tmp_path, 1)
        dialog = make_dialog(qtbot, server.url, folder)
        dialog.retries_spin.setValue(0)
        assert dialog.start()
        finish(qtbot, dialog)
        assert server.hits == 1 and dialog.model.rows[0].http == 429 and dialog.summary.worst == 1  # type: ignore[union-attr]
    finally:
        server.stop()


def test_replays_the_receiver_inbox(qtbot, receiver: Receiver, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = make_folder(tmp_path, 2)
    first = make_dialog(qtbot, receiver.url, folder)
    first.set_rate(50, "per second")
    assert first.start()
    finish(qtbot, first)
    assert receiver.count == 2
    second = Receiver(tmp_path / "inbox2")
    try:
        ProfileStore().put(Profile("other", kind="rollbar", base_url=second.url), secret=TOKEN)
        dialog = ReplayDialog.launch(None, inbox_dir=receiver.store.root)
        qtbot.addWidget(dialog)
        dialog.inbox_radio.setChecked(True)
        dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData("other"))
        dialog.set_rate(50, "per second")
        assert dialog.start()
        finish(qtbot, dialog)
        assert statuses(dialog) == [ACCEPTED, ACCEPTED] and second.count == 2
        assert all(row.path.name.endswith(".request.http") for row in dialog.model.rows)
        assert len((receiver.store.root / RESULTS_NAME).read_text().splitlines()) == 2
    finally:
        second.thread.stop()


def test_defaults_and_bad_input(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = ProfileStore()
    store.put(Profile("ac", kind="appcenter", base_url="http://127.0.0.1:9"), secret="0b3a1c64-1111-2222-3333-4444")
    store.put(Profile("rb", kind="rollbar", base_url="http://127.0.0.1:9", max_attempts=5), secret=TOKEN)
    dialog = ReplayDialog.launch(None, folder=tmp_path / "missing")
    qtbot.addWidget(dialog)
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData("ac"))
    assert (dialog.rate_spin.value(), dialog.unit_combo.currentText()) == (60, "per minute")
    assert dialog.rate() == pytest.approx(1.0)  # App Center: 60 crashes a minute
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData("rb"))
    assert dialog.rate() == 10 and dialog.retries_spin.value() == 4
    dialog.unit_combo.setCurrentText("unlimited")
    assert dialog.rate() is None and not dialog.rate_spin.isEnabled()
    assert not dialog.start() and "is not a folder" in dialog.status_label.text()
    dialog.folder_edit.clear()
    assert not dialog.start() and "choose a folder" in dialog.status_label.text()
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.folder_edit.setText(str(empty))
    assert dialog.start()
    finish(qtbot, dialog)
    assert dialog.model.rowCount() == 0 and "no payload files" in dialog.summary_label.text()


def test_tools_menu_opens_the_dialog(qtbot) -> None:  # type: ignore[no-untyped-def]
    from inspector.ui.window.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    assert "replay" not in window.panel_errors
    action = next(a for a in window.menu("&Tools").actions() if a.objectName() == "replayAction")
    assert action.text() == "&Replay Folder…"
    action.trigger()
    dialog = window.findChild(ReplayDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
