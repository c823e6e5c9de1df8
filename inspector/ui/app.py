"""QApplication setup, the GUI entry point, the self-test and the one excepthook of the app."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from types import TracebackType
from typing import TYPE_CHECKING

# No ``Qt`` here nor in anything the start imports or runs: the first use of the Qt namespace builds every one of its
# enums (20 ms, a sixth of a bare PySide6 window's start); the code that runs later imports it where it needs it.
from PySide6.QtCore import QCoreApplication, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication

from inspector import __version__
from inspector.resources import resource_path

if TYPE_CHECKING:
    from PySide6.QtCore import QMessageLogContext, QtMsgType

log = logging.getLogger(__name__)

#: The sample a newcomer sees first (falls back to the first file of resources/samples/).
DEFAULT_SAMPLE = "rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json"

_showing_error = False


#: Messages of the offscreen platform plugin about window-manager features it does not have (shot, self-test).
_OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()", "This plugin does not support raise()")
_previous_handler = None


def _quiet_offscreen_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    if message in _OFFSCREEN_NOISE:
        return
    if _previous_handler is not None:
        _previous_handler(mode, context, message)
    else:
        sys.stderr.write(message + "\n")


def make_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once): names, icon, and the platform's own style and palette."""
    app = QApplication.instance()
    if app is None:
        # Crisp at 125 % / 150 %: the PassThrough rounding policy (Qt 6's default; an explicit setting through the
        # environment, which QGuiApplication.setHighDpiScaleFactorRoundingPolicy() cannot override, still wins).
        os.environ.setdefault("QT_SCALE_FACTOR_ROUNDING_POLICY", "PassThrough")
        app = QApplication(argv if argv is not None else sys.argv[:1])
        if QGuiApplication.platformName() == "offscreen" and "pytest" not in sys.modules:
            global _previous_handler
            _previous_handler = qInstallMessageHandler(_quiet_offscreen_handler)
    QCoreApplication.setApplicationName("Crash Inspector")
    QCoreApplication.setOrganizationName("crash-inspector")
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setDesktopFileName("crash-inspector")
    icon = resource_path("icons", "crash-inspector.svg")
    if icon.is_file():
        QGuiApplication.setWindowIcon(QIcon(str(icon)))
    return app  # type: ignore[return-value]


def excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    """Log every uncaught exception; show one dialog at a time once the QApplication exists."""
    from PySide6.QtWidgets import QMessageBox

    global _showing_error
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    log.error("uncaught exception:\n%s", text)
    if QApplication.instance() is None or _showing_error:
        sys.__excepthook__(exc_type, exc, tb)
        return
    _showing_error = True
    try:
        box = QMessageBox(QMessageBox.Icon.Critical, "Crash Inspector — internal error", f"{exc_type.__name__}: {exc}")
        box.setInformativeText("The error was logged. You can keep working; please report it with the details.")
        box.setDetailedText(text)
        box.exec()
    finally:
        _showing_error = False


def install_excepthook() -> None:
    sys.excepthook = excepthook


def default_sample() -> str | None:
    from inspector.ui.window.recent_files import sample_paths

    samples = sample_paths()
    preferred = [p for p in samples if p.name == DEFAULT_SAMPLE]
    chosen = next(iter(preferred or samples), None)
    return str(chosen) if chosen is not None else None


def setup_logging() -> None:
    """INFO to stderr and to the log file (Help › Files and Log shows where); a log folder that cannot be written
    only loses the file."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from logging.handlers import RotatingFileHandler

    from inspector import settings

    try:
        path = settings.log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=2 * 1024 * 1024, backupCount=2, encoding="utf-8")
    except OSError as exc:
        log.warning("no log file: %s", exc)
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)


def files_to_open(paths: list[str], current: object) -> list[str]:
    """What the window opens at start: the files asked for; else the last session's files (Preferences: on by
    default); else, on the very first start only, the bundled sample."""
    from inspector.settings import Settings
    from inspector.ui.window.recent_files import load_session

    assert isinstance(current, Settings)
    if paths:
        return list(paths)
    if current.restore_session:
        session = load_session()
        if session:
            return session
    if not current.first_start_done:
        return [p for p in [default_sample()] if p]
    return []


def run_gui(paths: list[str]) -> int:
    """``crash-inspector [PATH...]``: the window with those files (or the last session's, or on a first start the
    sample). When the app already runs, the files open as tabs of its window and this start exits."""
    setup_logging()
    install_excepthook()
    app = make_app()
    server = None
    try:
        from inspector.ui.window.single_instance import InstanceServer, send_to_running
    except ImportError:  # a build without QtNetwork: every start gets its own window
        send_to_running = None  # type: ignore[assignment]
    if send_to_running is not None:
        if send_to_running(paths):
            log.info("opened %d file(s) in the running Crash Inspector", len(paths))
            return 0
        server = InstanceServer()
        if server.listen():
            log.info("later starts hand their files to this window")
    from inspector.ui.window import preferences
    from inspector.ui.window.main_window import MainWindow, after_first_frame

    current = preferences.current_settings()
    preferences.apply_theme(current.theme)
    window = MainWindow()
    window.remember_session = True
    if server is not None:
        server.files_received.connect(lambda files: _open_from_second_start(window, files))
    opening = files_to_open(paths, current)
    if not current.first_start_done:
        current.first_start_done = True
        preferences.save_current()
    window.show()
    # After the first paint: the window appears at once, the files load on workers meanwhile.
    # (Opening them in the event loop's first pass would put their tab and worker, 25 ms, before the first frame.)
    after_first_frame(lambda: window.open_paths(opening), window)
    code = app.exec()
    if server is not None:
        server.close()
    return code


def _open_from_second_start(window: object, files: list[str]) -> None:
    from inspector.ui.window.main_window import MainWindow

    assert isinstance(window, MainWindow)
    if files:
        window.open_paths(files)
    window.showNormal() if window.isMinimized() else None
    window.raise_()
    window.activateWindow()


def run_self_test() -> int:
    """Offscreen: open every bundled sample, validate it, render each view once. 0 when all is well."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import Qt

    from inspector.formats import load_path, validate
    from inspector.formats.base import InspectorError
    from inspector.ui.document.document_view import VIEW_NAMES
    from inspector.ui.window.main_window import MainWindow
    from inspector.ui.window.recent_files import sample_paths

    app = make_app()
    samples = sample_paths()
    if not samples:
        print(f"self-test: no samples found in {resource_path('samples')}", file=sys.stderr)
        return 1
    window = MainWindow()
    window.resize(1100, 700)
    # Never shown: grab() renders the window all the same, and the offscreen platform warns on show().
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    failures: list[str] = []
    for path in samples:
        try:
            submission = load_path(str(path))
            validate(submission)
            document = window.open_submission(submission, path.name, path)
            view = window.current_view()
            if view is None or not document.reports:
                failures.append(f"{path.name}: no report derived")
                continue
            for name in VIEW_NAMES:
                view.show_view(name)
                app.processEvents()
                if window.grab().isNull():
                    failures.append(f"{path.name}: view {name} did not render")
        except (InspectorError, OSError) as exc:
            failures.append(f"{path.name}: {exc}")
        except Exception as exc:
            failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
    window.close()
    if failures:
        for failure in failures:
            print(f"self-test FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"self-test ok: {len(samples)} samples, {len(VIEW_NAMES)} views each")
    return 0
