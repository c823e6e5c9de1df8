"""Guards for the environment the UI needs: real fonts, and a PySide6 that survives many void Qt calls."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex
from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QLabel

#: PySide6 6.12.0 on Python 3.11 aborts after ~5,000 void calls (a None refcount leak); 20,000 shows the pin holds.
VOID_CALLS = 20_000


def test_a_real_font_is_found_and_text_has_width(qapp) -> None:
    families = QFontDatabase.families()
    assert families, "no fonts: install fonts-dejavu-core (text would render as boxes)"
    font = QFont(families[0])
    metrics = QFontMetrics(font)
    assert metrics.horizontalAdvance("Crash Inspector") > 0
    # and a glyph really paints pixels (boxes would too, so compare two different letters)
    images = []
    for text in ("I", "W"):
        image = QImage(40, 40, QImage.Format.Format_ARGB32)
        image.fill(0xFFFFFFFF)
        painter = QPainter(image)
        painter.setFont(font)
        painter.drawText(5, 30, text)
        painter.end()
        images.append(sum(1 for x in range(40) for y in range(40) if image.pixel(x, y) != 0xFFFFFFFF))
    assert images[0] > 0 and images[1] > images[0]


def test_many_void_qt_calls_do_not_crash(qtbot) -> None:
    label = QLabel()
    qtbot.addWidget(label)

    class _Model(QAbstractListModel):
        def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
            return 0

        def data(self, index, role=0):
            return None

    model = _Model()
    for i in range(VOID_CALLS):
        label.setToolTip(f"tip {i}")
        model.layoutChanged.emit()
    assert label.toolTip() == f"tip {VOID_CALLS - 1}"
