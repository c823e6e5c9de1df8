"""Render the screenshots of issue 14's everyday path into resources/screenshots/ (offscreen):
read-only.png, find-bar.png, preferences.png, empty-view.png, help.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/daily_use_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "corpus" / "rollbar" / "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"
OUT = ROOT / "resources" / "screenshots"


def main() -> int:
    home = tempfile.mkdtemp(prefix="ci-shots-")  # never the user's settings
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = os.path.join(home, var.lower())
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from inspector.ui.app import make_app
    from inspector.ui.window.main_window import MainWindow
    from inspector.ui.workers import wait_all

    app = make_app()
    window = MainWindow()
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.resize(1280, 800)
    window.show()
    target = Path(home) / "customer.json"
    target.write_bytes(SAMPLE.read_bytes())
    opened: list[object] = []
    window.document_opened.connect(opened.append)
    window.open_paths([str(target)])
    while not opened:
        app.processEvents()
        wait_all()
    view = window.current_view()
    assert view is not None
    window.statusBar().clearMessage()

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def save(widget, name: str) -> None:
        settle()
        path = OUT / name
        widget.grab().save(str(path), "PNG")
        print(path)

    view.show_view("summary")
    save(window, "read-only.png")

    view.show_view("threads")
    save(window, "empty-view.png")

    view.show_view("raw")
    editor = view.raw_view
    settle()
    editor.show_find()  # what Ctrl+F does with the focus in the editor (a window never shown has no focus)
    QTest.keyClicks(editor.find_bar.find_edit, "lookup")
    QTest.keyClick(editor.find_bar.find_edit, Qt.Key.Key_Return)
    save(window, "find-bar.png")

    window.show_preferences()
    from inspector.ui.window.preferences import PreferencesDialog

    dialog = window.findChild(PreferencesDialog)
    dialog.symbol_paths.setPlainText("/srv/symbols\nsrv*/var/cache/symbols*https://symbols.example.com")
    dialog.resize(640, dialog.sizeHint().height())
    save(dialog, "preferences.png")
    dialog.reject()

    window.show_help("shortcuts")
    from inspector.ui.window.help import HelpWindow

    save(window.findChild(HelpWindow), "help.png")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
