"""Crash recovery: a real app process is SIGKILLed while typing; the next start restores the edit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.compose.drafts import DraftStore
from inspector.compose.templates import instantiate
from inspector.ui.document.drafts import DraftKeeper, open_draft
from inspector.ui.document.open_document import OpenDocument

pytestmark = [
    pytest.mark.qt_log_ignore("propagateSizeHints"),
    pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"),
]

ROOT = Path(__file__).resolve().parents[2]
TYPED = "abcdefghijklmnopqrstuvwxyz" * 4

#: The app under test: a window with the editor; types one character every 50 ms and reports each one.
CHILD = f"""
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
from PySide6.QtTest import QTest
app = QApplication([])
from inspector.compose.templates import instantiate
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window.main_window import MainWindow
window = MainWindow()
window.show()
doc = composer_of(window).new_from_template("rollbar-trace")
app.processEvents()
editor = window.current_view().raw_view
text = editor.text()
cursor = editor.edit.textCursor()
cursor.setPosition(text.index('"environment": "qa') + len('"environment": "qa'))
editor.edit.setTextCursor(cursor)
for n, char in enumerate({TYPED!r}, start=1):
    QTest.keyClick(editor.edit, char)
    end = time.monotonic() + 0.05
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    print("typed", n, flush=True)
while True:
    app.processEvents()
    time.sleep(0.01)
"""

RESTORE = """
import os, json
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication
app = QApplication([])
from inspector.ui.panels.compose.composer import composer_of
from inspector.ui.window.main_window import MainWindow
window = MainWindow()
restored = composer_of(window).restore()
print(json.dumps([{"environment": d.document.value["data"]["environment"], "modified": d.modified,
                   "title": d.title} for d in restored]))
"""


def test_sigkill_while_typing_loses_at_most_two_seconds() -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    typed = 0
    try:
        assert child.stdout is not None
        start = time.monotonic()
        while typed < 60 and time.monotonic() - start < 60:  # about 3 s of typing at 20 characters a second
            line = child.stdout.readline()
            if not line:
                break
            typed = int(line.split()[1])
        assert typed == 60, "the child app did not start typing"
        os.kill(child.pid, signal.SIGKILL)  # in the middle of typing
    finally:
        child.kill()
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    drafts = DraftStore().orphans()
    assert len(drafts) == 1
    result = subprocess.run([sys.executable, "-c", RESTORE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (restored,) = json.loads(result.stdout.strip().splitlines()[-1])
    value = restored["environment"]
    assert value.startswith("qa") and TYPED.startswith(value[2:])
    lost = typed - (len(value) - 2)
    print(
        f"typed {typed} characters at 20/s before SIGKILL; restored {len(value) - 2}; lost {lost} (~{lost / 20:.2f} s)"
    )
    assert lost <= 40  # at most 2 s of typing
    assert restored["modified"] and restored["title"].startswith("New Rollbar")
    (again,) = DraftStore().orphans()  # the restoring process took the draft over (and left it: it quit unsaved)
    assert again.id == drafts[0].id and again.pid not in (0, child.pid)


def test_restore_of_a_draft_with_a_syntax_error(qtbot, tmp_path: Path) -> None:
    store = DraftStore(tmp_path)
    keeper = DraftKeeper(store, interval_ms=10_000)
    doc = OpenDocument(instantiate("backtrace-error-attachments"), title="bt")
    keeper.watch(doc)
    broken = doc.text.replace('"lang": "python"', '"lang": "python" "oops"')
    assert not doc.replace_text(broken)
    keeper.save_now()
    (draft,) = store.all()
    restored = open_draft(draft)
    assert restored.draft_text == broken and restored.syntax_error is not None
    assert restored.document.value["lang"] == "python"
    assert [p.name for p in restored.submission.attachments] == ["attachment_log.txt", "attachment_state.json"]
    assert restored.modified


def test_saved_or_closed_documents_leave_no_draft(qtbot, tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts")
    keeper = DraftKeeper(store, interval_ms=10_000)
    doc = OpenDocument(instantiate("rollbar-message"), title="m")
    keeper.watch(doc)
    doc.replace_text(doc.text.replace('"qa"', '"prod"'))
    keeper.save_now()
    assert len(store.all()) == 1
    doc.save(tmp_path / "m.json")
    assert store.all() == []
    assert json.loads((tmp_path / "m.json").read_text())["data"]["environment"] == "prod"
    doc.replace_text(doc.text.replace('"prod"', '"stage"'))
    keeper.save_now()
    keeper.forget(doc)
    assert store.all() == []
