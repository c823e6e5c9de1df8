"""Source code around the selected frame: highlighted with Pygments, line numbers, the crashing line marked."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from inspector.report import Frame
from inspector.ui import style
from inspector.ui.document.highlight import PygmentsHighlighter
from inspector.ui.document.highlight_spans import lexer_for, text_spans


class _LineNumbers(QWidget):
    def __init__(self, editor: CodeView) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # Override QWidget.sizeHint
        return QSize(self._editor.gutter_width(), 0)

    def paintEvent(self, event) -> None:  # Override QWidget.paintEvent
        self._editor.paint_gutter(event.rect())


class CodeView(QPlainTextEdit):
    """Read-only code with a line-number gutter starting at ``first_line``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(style.mono_font())
        self.first_line = 1
        self.mark_line: int | None = None
        self._gutter = _LineNumbers(self)
        self.blockCountChanged.connect(lambda _n: self.setViewportMargins(self.gutter_width(), 0, 0, 0))
        self.updateRequest.connect(self._scroll_gutter)
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def gutter_width(self) -> int:
        digits = len(str(self.first_line + max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * digits

    def _scroll_gutter(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event) -> None:  # Override QPlainTextEdit.resizeEvent
        super().resizeEvent(event)
        rect = self.contentsRect()
        self._gutter.setGeometry(QRect(rect.left(), rect.top(), self.gutter_width(), rect.height()))

    def paint_gutter(self, rect: QRect) -> None:
        painter = QPainter(self._gutter)
        pal = self.palette()
        painter.fillRect(rect, pal.color(QPalette.ColorRole.AlternateBase))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = round(self.blockBoundingRect(block).height())
        while block.isValid() and top <= rect.bottom():
            number = self.first_line + block.blockNumber()
            if block.isVisible() and top + height >= rect.top():
                marked = number == self.mark_line
                painter.setPen(pal.color(QPalette.ColorRole.Text) if marked else style.dim_text())
                font = self.font()
                font.setBold(marked)
                painter.setFont(font)
                painter.drawText(
                    0, top, self._gutter.width() - 6, height, int(Qt.AlignmentFlag.AlignRight), str(number)
                )
            block = block.next()
            top += height
        painter.end()


class SourcePane(QWidget):
    """Shows ``Frame.source`` for the selected frame, or says there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sourcePane")
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code = CodeView()
        self.code.setObjectName("sourceView")
        self.highlighter = PygmentsHighlighter(self.code.document(), lexer_for(None))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.code)
        self._has_code = True  # (until the first show_frame clears it)
        self.show_frame(None)

    def show_frame(self, frame: Frame | None) -> None:
        source = frame.source if frame is not None else None
        if source is None or not source.lines:
            self.title.setText(
                "Select a frame to see its source."
                if frame is None
                else "No source code in the payload for this frame."
            )
            if self._has_code:  # clearing a QTextDocument costs ~20-80 ms, even an empty one: once is enough
                self.code.first_line = 1
                self.code.mark_line = None
                self.code.setExtraSelections([])
                self.code.setPlainText("")
                self.code.hide()  # the pane shrinks to its title line; the frames get the room
                self.setMaximumHeight(self.title.sizeHint().height() + 8)
                self._has_code = False
            return
        self._has_code = True
        self.code.show()
        self.setMaximumHeight(16777215)
        path = source.path or (frame.file if frame is not None else "") or ""
        lexer = lexer_for(path, source.language)
        text = "\n".join(line.rstrip("\r\n") for line in source.lines)
        where = f"{path}:{source.line}" if source.line is not None else path
        self.title.setText(f"<b>{_escape(where)}</b> &nbsp; <span>{lexer.name}</span>")
        self.code.first_line = source.start_line
        self.code.mark_line = source.line
        self.code.setPlainText(text)
        self.highlighter.set_text_spans(text_spans(text, lexer))
        self.code.setViewportMargins(self.code.gutter_width(), 0, 0, 0)
        selections = []
        if source.line is not None and 0 <= source.line - source.start_line < len(source.lines):
            block = self.code.document().findBlockByNumber(source.line - source.start_line)
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(style.accent_background())
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            cursor = QTextCursor(block)
            selection.cursor = cursor
            selections.append(selection)
            self.code.setTextCursor(cursor)
            self.code.centerCursor()
        self.code.setExtraSelections(selections)

    def marked_text(self) -> str | None:
        """The text of the marked (crashing) line, for tests and copy."""
        if self.code.mark_line is None:
            return None
        block = self.code.document().findBlockByNumber(self.code.mark_line - self.code.first_line)
        return block.text() if block.isValid() else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
