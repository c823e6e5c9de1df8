"""A QPlainTextEdit for JSON: line numbers, bracket matching, underlines, lazy Pygments colouring.

Colouring uses :class:`~inspector.ui.document.highlight.VisibleHighlighter`: a block is lexed only when it is on
screen (or is
edited while on screen), so a keystroke in a 20 MB document lexes one line and setting the text lexes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from inspector.ui import style
from inspector.ui.document.highlight import VisibleHighlighter
from inspector.ui.document.highlight_spans import json_lexer

_BRACKETS = {"{": "}", "[": "]", "}": "{", "]": "["}
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')
#: Bracket matching gives up after this many lines (the root brace of a 20 MB document is not worth a stall).
BRACKET_SCAN_LINES = 20_000


@dataclass(frozen=True, slots=True)
class Mark:
    """An underline: UTF-16 ``start``/``end``, severity (``error``/``warning``/``info``) and the tooltip."""

    start: int
    end: int
    severity: str
    message: str


class _Gutter(QWidget):
    def __init__(self, editor: JsonTextEdit) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # Override QWidget.sizeHint
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # Override QWidget.paintEvent
        self._editor.paint_gutter(event)


class JsonTextEdit(QPlainTextEdit):
    """The text area.

    Signals:
        undo_requested / redo_requested: Ctrl+Z / Ctrl+Shift+Z (the OpenDocument's stack owns undo, not the widget).
    """

    undo_requested = Signal()
    redo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(style.mono_font())
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * 2)
        self._gutter = _Gutter(self)
        self._marks: list[Mark] = []
        self._syntax_mark: Mark | None = None
        self._bracket_selections: list[QTextEdit.ExtraSelection] = []
        self.highlighter = VisibleHighlighter(self, json_lexer())
        self.blockCountChanged.connect(self._update_gutter_width)
        self.updateRequest.connect(self._on_update_request)
        self.cursorPositionChanged.connect(self._match_brackets)
        self._update_gutter_width()

    # ------------------------------------------------------------------ gutter

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(3, digits)

    def _update_gutter_width(self, *_args: object) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())
        self._colour_visible()

    def _colour_visible(self) -> None:
        self.highlighter.colour_visible()

    def resizeEvent(self, event: QResizeEvent) -> None:  # Override QPlainTextEdit.resizeEvent
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))
        self._colour_visible()

    def paint_gutter(self, event: QPaintEvent) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.alternateBase())
        block = self.firstVisibleBlock()
        number = block.blockNumber()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        error_line = self._syntax_line()
        current = self.textCursor().blockNumber()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                if number == error_line:
                    painter.fillRect(0, top, self._gutter.width(), bottom - top, QColor(220, 50, 47, 90))
                painter.setPen(palette.text().color() if number == current else palette.placeholderText().color())
                painter.drawText(
                    0,
                    top,
                    self._gutter.width() - 5,
                    self.fontMetrics().height(),
                    Qt.AlignmentFlag.AlignRight,
                    str(number + 1),
                )
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

    def _syntax_line(self) -> int:
        if self._syntax_mark is None:
            return -1
        return self.document().findBlock(self._syntax_mark.start).blockNumber()

    # ------------------------------------------------------------------ keys, tooltips

    def keyPressEvent(self, event) -> None:  # Override QPlainTextEdit.keyPressEvent
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo_requested.emit()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            self.redo_requested.emit()
            return
        super().keyPressEvent(event)

    def event(self, event: QEvent) -> bool:  # Override QPlainTextEdit.event: problem tooltips
        if event.type() == QEvent.Type.ToolTip:
            event = cast(QHelpEvent, event)
            pos = self.cursorForPosition(self.viewport().mapFromGlobal(event.globalPos())).position()
            messages = [m.message for m in self.marks_at(pos)]
            if messages:
                QToolTip.showText(event.globalPos(), "\n".join(messages[:8]), self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def marks_at(self, position: int) -> list[Mark]:
        marks = self._marks + ([self._syntax_mark] if self._syntax_mark else [])
        return [m for m in marks if m.start <= position <= m.end]

    # ------------------------------------------------------------------ underlines and brackets

    def set_marks(self, marks: list[Mark], syntax: Mark | None = None) -> None:
        self._marks = marks
        self._syntax_mark = syntax
        self._apply_selections()
        self._gutter.update()

    @property
    def marks(self) -> list[Mark]:
        return list(self._marks)

    @property
    def syntax_mark(self) -> Mark | None:
        return self._syntax_mark

    def _apply_selections(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        colours = {"error": QColor("#d73a49"), "warning": QColor("#d4a72c"), "info": QColor("#0969da")}
        for mark in [*self._marks, *([self._syntax_mark] if self._syntax_mark else [])]:
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(colours.get(mark.severity, colours["info"]))
            if mark is self._syntax_mark:
                fmt.setBackground(QColor(220, 50, 47, 60))
            sel.format = fmt
            cursor = QTextCursor(self.document())
            end = min(mark.end, self.document().characterCount() - 1)
            cursor.setPosition(min(mark.start, end))
            cursor.setPosition(
                max(end, mark.start + 1 if mark.start < end + 1 else end), QTextCursor.MoveMode.KeepAnchor
            )
            sel.cursor = cursor
            selections.append(sel)
        self.setExtraSelections(selections + self._bracket_selections)

    def _match_brackets(self) -> None:
        self._bracket_selections = []
        cursor = self.textCursor()
        block = cursor.block()
        col = cursor.positionInBlock()
        text = block.text()
        for index in (col - 1, col):
            if 0 <= index < len(text) and text[index] in _BRACKETS and not _inside_string(text, index):
                other = self._find_match(block, index)
                hits = [block.position() + index] + ([other] if other is not None else [])
                for pos in hits:
                    sel = QTextEdit.ExtraSelection()
                    fmt = QTextCharFormat()
                    fmt.setBackground(QColor("#ffd33d") if other is not None else QColor("#f97583"))
                    fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
                    sel.format = fmt
                    c = QTextCursor(self.document())
                    c.setPosition(pos)
                    c.setPosition(pos + 1, QTextCursor.MoveMode.KeepAnchor)
                    sel.cursor = c
                    self._bracket_selections.append(sel)
                break
        self._apply_selections()

    def _find_match(self, block, index: int) -> int | None:
        """Position of the bracket matching the one at ``index`` in ``block`` (strings skipped), or None."""
        opening = block.text()[index]
        forward = opening in "{["
        depth = 0
        for _ in range(BRACKET_SCAN_LINES):
            text = block.text()
            tokens = [(m.start(), m.group()) for m in _TOKENS.finditer(text) if m.group() in _BRACKETS]
            tokens = [t for t in tokens if t[0] >= index] if forward else [t for t in reversed(tokens) if t[0] <= index]
            for pos, tok in tokens:
                if tok in ("{", "[") if forward else tok in ("}", "]"):
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        return block.position() + pos if tok == _BRACKETS[opening] else None
            block = block.next() if forward else block.previous()
            if not block.isValid():
                return None
            index = 0 if forward else len(block.text()) - 1
        return None


def _inside_string(text: str, index: int) -> bool:
    for match in _TOKENS.finditer(text):
        if match.start() > index:
            return False
        if match.group()[0] == '"' and match.start() < index < match.end():
            return True
    return False
