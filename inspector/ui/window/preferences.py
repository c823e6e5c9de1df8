"""Edit › Preferences: the user's settings (:class:`inspector.settings.Settings`) in a dialog, and the theme.

The settings are read once per process (:func:`current_settings`); the dialog and the views change that object
and :func:`save_current` writes it. Other parts read what they need from it: the raw view's formatting default
(``format_raw_view``), the symbol paths (``symbol_paths``), the Send panel's default profile, the receiver's
host and port, the column widths of each view.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector import settings

log = logging.getLogger(__name__)

_current: settings.Settings | None = None
_save_timer: QTimer | None = None


def current_settings() -> settings.Settings:
    """The settings of this process (read from the file on first use)."""
    global _current
    if _current is None:
        _current = settings.load_settings()
    return _current


def forget_current() -> None:
    """Read the file again on next use (tests, a changed settings file)."""
    global _current
    _current = None


def save_current() -> bool:
    """Write the settings now; False (and a log line) when the config folder cannot be written."""
    try:
        settings.save_settings(current_settings())
    except OSError as exc:
        log.warning("cannot save the settings to %s: %s", settings.settings_path(), exc)
        return False
    return True


def save_soon(delay_ms: int = 1000) -> None:
    """Write the settings after a pause (column drags change them many times a second)."""
    global _save_timer
    if _save_timer is None:
        _save_timer = QTimer()
        _save_timer.setSingleShot(True)
        _save_timer.timeout.connect(save_current)
    _save_timer.start(delay_ms)


THEME_LABELS = {"system": "Same as the desktop", "light": "Light", "dark": "Dark"}


def _dark_palette() -> QPalette:
    palette = QPalette()
    base, window, text = QColor(30, 30, 30), QColor(45, 45, 45), QColor(220, 220, 220)
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.ToolTipBase, window),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.Highlight, QColor(42, 130, 218)),
        (QPalette.ColorRole.HighlightedText, QColor(255, 255, 255)),
        (QPalette.ColorRole.PlaceholderText, QColor(140, 140, 140)),
        (QPalette.ColorRole.Link, QColor(90, 160, 255)),
    ):
        palette.setColor(role, colour)
    return palette


def apply_theme(theme: str) -> None:
    """Light, dark, or the desktop's colours: Qt's colour scheme where the platform follows it, else a palette."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    scheme = {
        "light": Qt.ColorScheme.Light,
        "dark": Qt.ColorScheme.Dark,
    }.get(theme, Qt.ColorScheme.Unknown)
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8
        hints.setColorScheme(scheme)
    is_dark = app.palette().color(QPalette.ColorRole.Window).lightness() < 128
    if theme == "dark" and not is_dark:
        app.setPalette(_dark_palette())
    elif (theme == "light" and is_dark) or theme == "system":
        app.setPalette(app.style().standardPalette())


class PreferencesDialog(QDialog):
    """The settings in a form; OK (or Apply) saves them to ``settings.json`` and emits ``applied``."""

    applied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self.theme = QComboBox()
        self.theme.setObjectName("themeChoice")
        for key, label in THEME_LABELS.items():
            self.theme.addItem(label, key)
        self.format_raw = QCheckBox("Show minified payloads pretty-printed in the raw view")
        self.format_raw.setObjectName("formatRawView")
        self.format_raw.setToolTip("Only for reading: saving and sending keep the file's exact bytes")
        self.symbol_paths = QPlainTextEdit()
        self.symbol_paths.setObjectName("symbolPaths")
        self.symbol_paths.setPlaceholderText("One folder (or symbol server path) per line, searched in order")
        self.symbol_paths.setTabChangesFocus(True)
        self.symbol_paths.setFixedHeight(self.fontMetrics().lineSpacing() * 5)
        add_folder = QPushButton("Add Folder…")
        add_folder.setObjectName("addSymbolFolder")
        add_folder.clicked.connect(self._add_folder)
        self.default_profile = QComboBox()
        self.default_profile.setObjectName("defaultProfile")
        self.default_profile.setEditable(True)
        self.receiver_host = QLineEdit()
        self.receiver_host.setObjectName("receiverHost")
        self.receiver_port = QSpinBox()
        self.receiver_port.setObjectName("receiverPort")
        self.receiver_port.setRange(0, 65535)
        self.receiver_port.setSpecialValueText("any free port")
        self.restore_session = QCheckBox("Reopen the files of the last session at start")
        self.restore_session.setObjectName("restoreSession")

        symbols = QWidget()
        symbols_row = QVBoxLayout(symbols)
        symbols_row.setContentsMargins(0, 0, 0, 0)
        symbols_row.addWidget(self.symbol_paths)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(add_folder)
        buttons_row.addStretch(1)
        symbols_row.addLayout(buttons_row)
        receiver = QWidget()
        receiver_row = QHBoxLayout(receiver)
        receiver_row.setContentsMargins(0, 0, 0, 0)
        receiver_row.addWidget(self.receiver_host, 1)
        receiver_row.addWidget(QLabel("port"))
        receiver_row.addWidget(self.receiver_port)

        form = QFormLayout()
        form.addRow("&Theme:", self.theme)
        form.addRow("&Raw view:", self.format_raw)
        form.addRow("&Symbol paths:", symbols)
        form.addRow("Default send &profile:", self.default_profile)
        form.addRow("Local &receiver:", receiver)
        form.addRow("&Session:", self.restore_session)
        where = QLabel(f"Saved in {settings.settings_path()}")
        where.setObjectName("settingsLocation")
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.apply)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(where)
        layout.addWidget(self.buttons)
        self.reload()

    def reload(self) -> None:
        """Show the current settings (and the profiles that exist now)."""
        current = current_settings()
        self.theme.setCurrentIndex(max(0, self.theme.findData(current.theme)))
        self.format_raw.setChecked(current.format_raw_view)
        self.symbol_paths.setPlainText("\n".join(current.symbol_paths))
        self.default_profile.clear()
        self.default_profile.addItem("")
        self.default_profile.addItems(_profile_names())
        self.default_profile.setCurrentText(current.default_profile)
        self.receiver_host.setText(current.receiver_host)
        self.receiver_port.setValue(current.receiver_port)
        self.restore_session.setChecked(current.restore_session)

    def apply(self) -> bool:
        current = current_settings()
        current.theme = self.theme.currentData()
        current.format_raw_view = self.format_raw.isChecked()
        current.symbol_paths = [line.strip() for line in self.symbol_paths.toPlainText().splitlines() if line.strip()]
        current.default_profile = self.default_profile.currentText().strip()
        current.receiver_host = self.receiver_host.text().strip() or "127.0.0.1"
        current.receiver_port = self.receiver_port.value()
        current.restore_session = self.restore_session.isChecked()
        saved = save_current()
        self.applied.emit()
        return saved

    def accept(self) -> None:  # Override QDialog.accept
        self.apply()
        super().accept()

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Symbol folder")
        if folder:
            text = self.symbol_paths.toPlainText().rstrip("\n")
            self.symbol_paths.setPlainText(f"{text}\n{folder}" if text else folder)


def _profile_names() -> list[str]:
    """The send profiles' names (none when the profiles file cannot be read)."""
    try:
        from inspector.net.profiles import ProfileStore

        return [p.name for p in ProfileStore().load()]
    except Exception as exc:  # a broken profiles file must not stop the Preferences dialog
        log.info("preferences: no profiles listed: %s", exc)
        return []
