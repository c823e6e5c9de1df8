"""``crash-inspector shot PATH --view V --out PNG``: render the real window offscreen and save a PNG.

The one command that needs Qt: the window (:mod:`inspector.ui`) is imported inside :func:`run_shot` only, so the
other commands start without it.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from inspector.cli.errors import EXIT_OK, fail

#: How long the shot waits for its cancelled tasks before it leaves the exit to the interpreter.
FINISH_TIMEOUT_MS = 10_000


def _fail(message: str) -> int:
    return fail(message, command="shot")


def _size(text: str) -> tuple[int, int] | None:
    try:
        width, height = (int(x) for x in text.lower().split("x"))
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


class _Reading:
    """``read_input(path)`` on a thread of its own: reading releases the GIL, so a big file is read while the main
    thread imports (what ``load_path`` does first, ~50 ms for 100 MB). Its error is raised by :meth:`result`."""

    def __init__(self, path: str) -> None:
        import threading

        self._path = path
        self._data: bytes | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, name="shot-read", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        from inspector.formats.envelope import read_input

        try:
            self._data = read_input(self._path)
        except BaseException as exc:  # raised on the caller's thread
            self._error = exc

    def result(self) -> bytes:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._data is not None
        data, self._data = self._data, None
        return data


def run_shot(args: argparse.Namespace) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists
    size = _size(getattr(args, "size", "1280x800") or "1280x800")
    if size is None:
        return _fail(f"--size must look like 1280x800, not {args.size!r}")
    from inspector.formats import load_bytes
    from inspector.formats.base import InspectorError

    reading = _Reading(args.path)  # the file is read while Qt and the window's modules are imported
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from inspector.ui.app import make_app
    from inspector.ui.window.main_window import MainWindow

    try:
        submission = load_bytes(reading.result(), source_name=os.path.basename(args.path))
    except (InspectorError, OSError) as exc:
        return _fail(f"{args.path}: {exc}")
    app = make_app()
    window = MainWindow()
    window.resize(*size)
    path = Path(args.path)
    window.open_submission(submission, path.name, path)
    view = window.current_view()
    assert view is not None
    if getattr(args, "symbols", None):  # a symbolicated minidump (Tools › Symbolicate…, done here on this thread)
        from inspector.ui.panels.symbolicate.symbolicator import symbolicate_now

        symbolicate_now(window, args.symbols)
    try:
        view.show_view(args.view)
        if getattr(args, "panel", None):
            window.show_panel(args.panel)
    except InspectorError as exc:
        window.close()
        return _fail(str(exc))
    # WORKAROUND: the offscreen platform warns on showing a top-level window (propagateSizeHints, raise());
    # QWidget.grab() renders a window that was never shown just the same, without the noise.
    # Shown all the same (not on a screen): the views size their columns and span their stack rows on show.
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    window.show()
    for _ in range(3):
        QApplication.processEvents()
    raw = view.raw_view
    if args.view == "raw":  # the whole text in the widget now (a big one is filled in slices, or not made yet)
        for name in ("load_now", "ensure_loaded"):
            fill = getattr(raw, name, None)  # (asking a pending raw view makes its text, on this thread)
            if callable(fill):
                fill()
                break
        QApplication.processEvents()
        raw = getattr(raw, "real", None) or raw
        if hasattr(raw, "highlight_visible"):  # only here: asking a pending raw view anything makes its text
            raw.highlight_visible()
    QApplication.processEvents()
    image = window.grab()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ok = image.save(str(out), "PNG")
    window.close()
    app.processEvents()
    if not ok:
        return _fail(f"cannot write {out}")
    print(out)
    if getattr(args, "whole_process", False):
        _end_process_now(EXIT_OK)
    return EXIT_OK


def _end_process_now(code: int) -> None:
    """End the process here once nothing is left to finish: the picture is written and closed, the window closed
    (the session saved). Tearing down the interpreter would only free the document's objects one by one (~0.1 s
    for a 100 MB document). Tasks still running are cancelled and waited for (a big document's validation, started
    300 ms after opening when the shot took longer, stops at its next check instead of running to its end; a write
    finishes); a non-daemon thread (what the interpreter's own exit would wait for) keeps the normal exit. The
    exit handlers still run (logging's files, temporary folders) and the standard streams are flushed. Only for the
    process's own command line (``main()`` without arguments): a caller in the same process gets the code back."""
    import atexit
    import sys
    import threading

    from PySide6.QtCore import QThreadPool

    from inspector.ui.workers import cancel_all

    cancel_all()
    pool = QThreadPool.globalInstance()
    if not pool.waitForDone(FINISH_TIMEOUT_MS) or pool.activeThreadCount():
        return  # something is still running: the normal exit
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        return
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            pass
    os._exit(code)
