"""Colours and icons derived from the active QPalette, so light and dark desktops both read well.

Nothing here hard-codes a background: accents are blended with the palette's base and text colours.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontDatabase, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyle

from inspector.formats.base import Severity

#: Hues for telemetry levels and problem severities (blended with the palette, never used raw as a background).
LEVEL_HUES = {
    "critical": QColor(200, 30, 60),
    "fatal": QColor(200, 30, 60),
    "error": QColor(215, 50, 40),
    "warning": QColor(220, 140, 0),
    "warn": QColor(220, 140, 0),
    "info": QColor(40, 120, 215),
    "debug": QColor(120, 120, 130),
    "log": QColor(40, 150, 110),
}


def palette() -> QPalette:
    return QApplication.palette()


def is_dark() -> bool:
    pal = palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def blend(a: QColor, b: QColor, ratio: float) -> QColor:
    """``ratio`` of ``a`` mixed into ``b``."""
    return QColor(
        round(a.red() * ratio + b.red() * (1 - ratio)),
        round(a.green() * ratio + b.green() * (1 - ratio)),
        round(a.blue() * ratio + b.blue() * (1 - ratio)),
    )


def dim_text() -> QColor:
    """Library/system frames: half-way between text and base."""
    pal = palette()
    return blend(pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base), 0.5)


def accent_background(hue: QColor | None = None) -> QColor:
    """A light tint of ``hue`` (default: error red) over the base colour: for the crashed thread, crashing line."""
    pal = palette()
    return blend(hue or LEVEL_HUES["error"], pal.color(QPalette.ColorRole.Base), 0.22 if is_dark() else 0.14)


def level_colour(level: str | None) -> QColor:
    """Foreground colour of a level, readable on the palette's base."""
    hue = LEVEL_HUES.get((level or "").lower(), LEVEL_HUES["debug"])
    if is_dark():
        return blend(hue, QColor(255, 255, 255), 0.7)
    return hue


def severity_icon(severity: Severity | str) -> QIcon:
    style = QApplication.style()
    pixmap = {
        "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
        "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    }.get(str(severity), QStyle.StandardPixmap.SP_MessageBoxInformation)
    return style.standardIcon(pixmap)


def standard_icon(pixmap: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(pixmap)


def mono_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


def bold(font: QFont) -> QFont:
    font = QFont(font)
    font.setBold(True)
    return font


def html_colour(colour: QColor) -> str:
    return colour.name(QColor.NameFormat.HexRgb)


def html_colours() -> dict[str, str]:
    """The colours of the summary's HTML (levels, dim text, badges), from the current palette."""
    pal = palette()
    return {
        "error": html_colour(level_colour("error")),
        "warning": html_colour(level_colour("warning")),
        "info": html_colour(level_colour("info")),
        "ok": html_colour(level_colour("log")),
        "dim": html_colour(dim_text()),
        "badge": html_colour(accent_background()),
        "badge_text": html_colour(pal.color(QPalette.ColorRole.Text)),
    }
