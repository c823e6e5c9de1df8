"""The raw view of a big document: a read-only text view that paints only the lines on screen.

A QPlainTextEdit holding a 100 MB document keeps a UTF-16 copy of the text and a block per line (7 M of them for
the App Center batch). :class:`LineView` keeps neither: it reads the lines it paints from a
:class:`~inspector.ui.document.line_source.LineSource` (the buffer and one integer per line), lays out and colours
those lines only (the raw view's colours: Pygments, line by line, a small cache), and scrolls by line numbers
vertically and by pixels horizontally. Selection (mouse, Shift+keys, Ctrl+A) and copy (Ctrl+C) work on buffer
offsets; :class:`BigRawView` adds find (Ctrl+F), go to line or JSON Pointer (Ctrl+G) and the document's wiring.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pygments.lexer import Lexer
from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QShowEvent,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.compose.locate import from_utf16, locate, utf16_offset
from inspector.formats.jsondoc import dumps
from inspector.services.document_text import is_minified
from inspector.ui import style
from inspector.ui.document.highlight import _format_for
from inspector.ui.document.highlight_spans import json_lexer, line_spans
from inspector.ui.document.line_source import Lines, LineSource, PieceSource, PointerIndex
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.workers import CancelToken, Task, TaskCancelled, run_task

#: Lines longer than this are laid out a window of columns at a time (around what is on screen).
LONG_LINE = 2000
#: Columns laid out on each side of the screen's for a long line (and the step the window moves by).
LONG_MARGIN = 1000
#: Laid-out lines kept (a few screens).
LAYOUT_CACHE = 400
#: A copy bigger than this many characters (or bytes) is refused with a note: the clipboard would hold a second
#: full copy of a huge text (Save As writes the file instead).
COPY_LIMIT = 64 * 1024 * 1024
#: Texts up to this size (characters or bytes) are walked for a pointer on the GUI thread; longer ones on the pool.
LOCATE_HERE = 4 * 1024 * 1024
#: Pixels between the line numbers and the text.
TEXT_PAD = 6


class LineView(QAbstractScrollArea):
    """Paints a :class:`LineSource`: line numbers, coloured visible lines, a selection and a caret.

    Signals:
        message(str): a note for the status line (a copy refused, ...).
        find_requested / goto_requested: Ctrl+F / Ctrl+G (the container shows its bars).
    """

    message = Signal(str)
    find_requested = Signal()
    goto_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lineView")
        self.setFont(style.mono_font())
        self.viewport().setCursor(Qt.CursorShape.IBeamCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.source: Lines | None = None
        self._lexer: Lexer | None = None
        self._dark = style.is_dark()
        self._formats: dict[Any, QTextCharFormat | None] = {}
        self._layouts: OrderedDict[tuple[int, int], tuple[QTextLayout, str]] = OrderedDict()
        #: Lines laid out and coloured so far (diagnostics and tests).
        self.painted_lines: set[int] = set()
        self.anchor = 0
        self.caret = 0
        self._goal_column = -1
        self._drag_timer = QTimer(self)
        self._drag_timer.setInterval(50)
        self._drag_timer.timeout.connect(self._drag_scroll)
        self._drag_pos = QPoint()

    # ------------------------------------------------------------------ content

    def set_source(self, source: Lines | None, lexer: Lexer | None) -> None:
        """Show ``source`` (None: nothing), coloured by ``lexer`` (None: plain)."""
        self.source = source
        self._lexer = lexer
        self._layouts.clear()
        self.painted_lines.clear()
        size = source.size if source is not None else 0
        self.anchor = min(self.anchor, size)
        self.caret = min(self.caret, size)
        self._update_bars()
        self.viewport().update()

    @property
    def line_count(self) -> int:
        return self.source.line_count if self.source is not None else 0

    # ------------------------------------------------------------------ geometry

    def line_height(self) -> int:
        return max(1, self.fontMetrics().lineSpacing())

    def char_width(self) -> int:
        return max(1, self.fontMetrics().horizontalAdvance("9"))

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.line_count)))
        return 10 + self.char_width() * max(3, digits)

    def visible_lines(self) -> int:
        """Lines that fit on screen whole."""
        return max(1, self.viewport().height() // self.line_height())

    def first_visible_line(self) -> int:
        return self.verticalScrollBar().value()

    def _update_bars(self) -> None:
        rows = self.visible_lines()
        vbar = self.verticalScrollBar()
        vbar.setRange(0, max(0, self.line_count - rows))
        vbar.setPageStep(rows)
        vbar.setSingleStep(1)
        text_width = max(1, self.viewport().width() - self.gutter_width() - TEXT_PAD)
        longest = self.source.longest if self.source is not None else 0
        hbar = self.horizontalScrollBar()
        hbar.setRange(0, max(0, min(2**31 - 1, (longest + 2) * self.char_width()) - text_width))
        hbar.setPageStep(text_width)
        hbar.setSingleStep(self.char_width() * 4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # Override QAbstractScrollArea.resizeEvent
        super().resizeEvent(event)
        self._update_bars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # Override QAbstractScrollArea.scrollContentsBy
        self.viewport().update()

    # ------------------------------------------------------------------ painting

    def _layout(self, line: int) -> tuple[QTextLayout, int, str]:
        """The laid-out, coloured text of ``line`` (a window of it when long), its first column, and that text."""
        assert self.source is not None
        first_column = 0
        if self.source.line_end(line) - self.source.line_start(line) > LONG_LINE:
            shown = self.horizontalScrollBar().value() // self.char_width()
            first_column = max(0, (shown - LONG_MARGIN) // LONG_MARGIN * LONG_MARGIN)
        key = (line, first_column)
        cached = self._layouts.get(key)
        if cached is not None:
            self._layouts.move_to_end(key)
            return cached[0], first_column, cached[1]
        if self.source.line_end(line) - self.source.line_start(line) > LONG_LINE:
            width = self.viewport().width() // self.char_width() + 3 * LONG_MARGIN
            text = self.source.line_part(line, first_column, width)
        else:
            text = self.source.line(line)
        layout = QTextLayout(text, self.font())
        if self._lexer is not None and text:
            ranges = []
            for start, length, token in line_spans(text, self._lexer):
                fmt = _format_for(token, self._dark, self._formats)
                if fmt is not None:
                    fr = QTextLayout.FormatRange()
                    fr.start, fr.length, fr.format = start, length, fmt
                    ranges.append(fr)
            layout.setFormats(ranges)
        layout.beginLayout()
        layout.createLine()
        layout.endLayout()
        self.painted_lines.add(line)
        self._layouts[key] = (layout, text)
        while len(self._layouts) > LAYOUT_CACHE:
            self._layouts.popitem(last=False)
        return layout, first_column, text

    def paintEvent(self, event: QPaintEvent) -> None:  # Override QAbstractScrollArea.paintEvent
        painter = QPainter(self.viewport())
        palette = self.palette()
        rect = self.viewport().rect()
        painter.fillRect(rect, palette.base())
        gutter = self.gutter_width()
        painter.fillRect(QRect(0, 0, gutter, rect.height()), palette.alternateBase())
        source = self.source
        if source is None:
            painter.end()
            return
        height = self.line_height()
        ascent_pad = 0
        first = self.first_visible_line()
        last = min(self.line_count - 1, first + rect.height() // height + 1)
        x0 = gutter + TEXT_PAD - self.horizontalScrollBar().value()
        sel_start, sel_end = sorted((self.anchor, self.caret))
        caret_line = source.line_of(self.caret)
        selection_format = QTextCharFormat()
        selection_format.setBackground(palette.highlight())
        selection_format.setForeground(palette.highlightedText())
        number_pen = palette.placeholderText().color()
        for line in range(first, last + 1):
            y = (line - first) * height + ascent_pad
            painter.setPen(palette.text().color() if line == caret_line else number_pen)
            painter.drawText(0, y, gutter - 5, height, Qt.AlignmentFlag.AlignRight, str(line + 1))
            layout, first_column, text = self._layout(line)
            start, end = source.line_start(line), source.line_end(line)
            selections = []
            if sel_start < sel_end and sel_start <= end and sel_end >= start:
                a = source.column(line, sel_start) - first_column
                b = source.column(line, sel_end) - first_column
                a, b = max(0, min(a, len(text))), max(0, min(b, len(text)))
                fr = QTextLayout.FormatRange()
                fr.start = utf16_offset(text, a)
                fr.length = utf16_offset(text, b) - fr.start
                fr.format = selection_format
                if fr.length > 0:
                    selections.append(fr)
                if sel_end > end and source.line_end(line) < source.size:  # the newline is selected too
                    x = x0 + first_column * self.char_width() + layout.lineAt(0).naturalTextWidth()
                    painter.fillRect(QRect(int(x), y, self.char_width() // 2, height), palette.highlight())
            painter.save()
            painter.setClipRect(QRect(gutter, 0, rect.width() - gutter, rect.height()))
            layout.draw(painter, QPoint(x0 + first_column * self.char_width(), y), selections)
            if line == caret_line and self.hasFocus():
                column = source.column(line, self.caret) - first_column
                if 0 <= column <= len(text):
                    layout.drawCursor(
                        painter, QPoint(x0 + first_column * self.char_width(), y), utf16_offset(text, column)
                    )
            painter.restore()
        painter.end()

    # ------------------------------------------------------------------ positions

    def position_at(self, point: QPoint) -> int:
        """The buffer offset under a viewport point."""
        source = self.source
        if source is None:
            return 0
        line = min(self.line_count - 1, max(0, self.first_visible_line() + point.y() // self.line_height()))
        if point.y() < 0:
            line = max(0, self.first_visible_line() - 1)
        layout, first_column, text = self._layout(line)
        x = point.x() - (self.gutter_width() + TEXT_PAD - self.horizontalScrollBar().value())
        x -= first_column * self.char_width()
        column = first_column + from_utf16(text, layout.lineAt(0).xToCursor(x))
        return source.offset(line, column)

    def ensure_visible(self, offset: int, center: bool = False) -> None:
        """Scroll so the line and column of ``offset`` are on screen (in the middle when ``center``)."""
        source = self.source
        if source is None:
            return
        line = source.line_of(offset)
        vbar = self.verticalScrollBar()
        rows = self.visible_lines()
        if center:
            vbar.setValue(max(0, line - rows // 2))
        elif line < vbar.value():
            vbar.setValue(line)
        elif line >= vbar.value() + rows:
            vbar.setValue(line - rows + 1)
        x = source.column(line, offset) * self.char_width()
        hbar = self.horizontalScrollBar()
        width = hbar.pageStep()
        if x < hbar.value() or x > hbar.value() + width - self.char_width():
            hbar.setValue(max(0, x - width // 3))
        self.viewport().update()

    # ------------------------------------------------------------------ selection

    def select(self, start: int, end: int, center: bool = True) -> None:
        """Select buffer offsets ``start``..``end`` and scroll the start into view."""
        size = self.source.size if self.source is not None else 0
        self.anchor, self.caret = min(max(0, start), size), min(max(0, end), size)
        self._goal_column = -1
        self.ensure_visible(self.anchor, center=center)

    def has_selection(self) -> bool:
        return self.anchor != self.caret

    def selected_text(self) -> str:
        if self.source is None or not self.has_selection():
            return ""
        start, end = sorted((self.anchor, self.caret))
        return self.source.text(start, end)

    def copy(self) -> bool:
        """Put the selection on the clipboard (False when empty or above :data:`COPY_LIMIT`)."""
        start, end = sorted((self.anchor, self.caret))
        if start == end:
            return False
        if end - start > COPY_LIMIT:
            self.message.emit(
                f"The selection is too big to copy ({(end - start) / 2**20:.0f} MB; up to {COPY_LIMIT // 2**20} MB): "
                "select less, or use File › Save As"
            )
            return False
        QApplication.clipboard().setText(self.selected_text())
        return True

    # ------------------------------------------------------------------ mouse

    def mousePressEvent(self, event: QMouseEvent) -> None:  # Override QAbstractScrollArea.mousePressEvent
        if event.button() != Qt.MouseButton.LeftButton or self.source is None:
            super().mousePressEvent(event)
            return
        offset = self.position_at(event.position().toPoint())
        self.caret = offset
        if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.anchor = offset
        self._goal_column = -1
        self.viewport().update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # Override QAbstractScrollArea.mouseMoveEvent
        if not event.buttons() & Qt.MouseButton.LeftButton or self.source is None:
            return
        self._drag_pos = event.position().toPoint()
        self.caret = self.position_at(self._drag_pos)
        outside = not self.viewport().rect().contains(self._drag_pos)
        if outside and not self._drag_timer.isActive():
            self._drag_timer.start()
        elif not outside:
            self._drag_timer.stop()
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # Override QAbstractScrollArea.mouseReleaseEvent
        self._drag_timer.stop()
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # Override: select the word under the pointer
        source = self.source
        if source is None:
            return
        offset = self.position_at(event.position().toPoint())
        line = source.line_of(offset)
        text, column = source.line(line), source.column(line, offset)
        start = end = column
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-."):
            start -= 1
        while end < len(text) and (text[end].isalnum() or text[end] in "_-."):
            end += 1
        self.anchor, self.caret = source.offset(line, start), source.offset(line, end)
        self.viewport().update()

    def _drag_scroll(self) -> None:
        vbar = self.verticalScrollBar()
        if self._drag_pos.y() < 0:
            vbar.setValue(vbar.value() - 1)
        elif self._drag_pos.y() > self.viewport().height():
            vbar.setValue(vbar.value() + 1)
        self.caret = self.position_at(self._drag_pos)
        self.viewport().update()

    # ------------------------------------------------------------------ keys

    def event(self, event: QEvent) -> bool:  # Override QAbstractScrollArea.event: the view's keys before shortcuts
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) and self._own_key(event):
            event.accept()
            return True
        return super().event(event)

    @staticmethod
    def _own_key(event: QKeyEvent) -> bool:
        return (
            event.matches(QKeySequence.StandardKey.Copy)
            or event.matches(QKeySequence.StandardKey.SelectAll)
            or event.matches(QKeySequence.StandardKey.Find)
            or (event.key() == Qt.Key.Key_G and event.modifiers() == Qt.KeyboardModifier.ControlModifier)
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Override QAbstractScrollArea.keyPressEvent
        source = self.source
        if source is None:
            super().keyPressEvent(event)
            return
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            self.anchor, self.caret = 0, source.size
            self.viewport().update()
            return
        if event.matches(QKeySequence.StandardKey.Find):
            self.find_requested.emit()
            return
        if event.key() == Qt.Key.Key_G and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self.goto_requested.emit()
            return
        target = self._moved(event)
        if target is None:
            super().keyPressEvent(event)
            return
        self.caret = target
        if not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.anchor = target
        self.ensure_visible(self.caret)

    def _moved(self, event: QKeyEvent) -> int | None:
        """Where a movement key takes the caret (None: not a movement key)."""
        source = self.source
        assert source is not None
        key, ctrl = event.key(), bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        line = source.line_of(self.caret)
        column = source.column(line, self.caret)
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            if self._goal_column < 0:
                self._goal_column = column
            step = -1 if key == Qt.Key.Key_Up else 1 if key == Qt.Key.Key_Down else self.visible_lines()
            if key == Qt.Key.Key_PageUp:
                step = -step
            target_line = min(self.line_count - 1, max(0, line + step))
            if key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
                vbar = self.verticalScrollBar()
                vbar.setValue(vbar.value() + step)
            return source.offset(target_line, self._goal_column)
        self._goal_column = -1
        if key == Qt.Key.Key_Home:
            return 0 if ctrl else source.line_start(line)
        if key == Qt.Key.Key_End:
            return source.size if ctrl else source.line_end(line)
        if key == Qt.Key.Key_Left:
            if column > 0:
                return source.offset(line, column - 1)
            return source.line_end(line - 1) if line > 0 else self.caret
        if key == Qt.Key.Key_Right:
            if self.caret < source.line_end(line):
                return source.offset(line, column + 1)
            return source.line_start(line + 1) if line + 1 < self.line_count else self.caret
        return None

    def focusInEvent(self, event) -> None:  # Override: the caret shows while focused
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:  # Override: the caret shows while focused
        super().focusOutEvent(event)
        self.viewport().update()


class FindLine(QWidget):
    """Find in a :class:`BigRawView`: Enter finds the next match, Shift+Enter the previous, Escape closes.

    Signals:
        closed: the bar was closed.
    """

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.find_edit = QLineEdit(placeholderText="Find")
        self.find_edit.setObjectName("bigFindEdit")
        self.case = QCheckBox("Match case")
        self.prev_button = QPushButton("Previous")
        self.next_button = QPushButton("Next")
        self.close_button = QPushButton("✕")
        self.close_button.setFlat(True)
        self.status = QLabel()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for widget in (self.find_edit, self.prev_button, self.next_button, self.case, self.status):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.close_button)
        self.close_button.clicked.connect(self.close_bar)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # Override QWidget.keyPressEvent: Escape closes
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()


#: Builds the editor for a document the user chose to edit, or says (a str) why the editor does not take it.
EditorMaker = Callable[[OpenDocument, QWidget], QWidget | str]


class BigRawView(QStackedWidget):
    """The raw view of a big document: a :class:`LineView` over the document's text, with go to line or JSON
    Pointer, find and a status line.

    The text is made on the thread pool the first time the view is shown (or something asks for it): the
    document's own text when it has one (an edit made it); else the original bytes when the file is written on
    many lines; else the pretty-printed form in bytes (:func:`~inspector.ui.document.line_source.pretty_bytes`,
    with where each value sits, so a click on a tree row finds its text without a scan). ``select_pointer`` asked
    before that is applied when the text arrives.

    When the user chooses to edit the document, ``make_editor`` (if given) builds the editor in its place (the
    editor's own path: its text, its limits); every attribute this view lacks is then the editor's. A document
    the editor would not take (``make_editor`` answers why) stays in this view, with that note above it: making
    a 200 MB text only to show it read-only again is what it saves.
    """

    #: A search ended: whether it found a match (selected).
    find_done = Signal(bool)
    #: A pointer looked for on the thread pool was found (selected) or not.
    pointer_done = Signal(bool)

    def __init__(
        self, document: OpenDocument, make_editor: EditorMaker | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bigRawView")
        self._find_task: Task | None = None
        self._locate_task: Task | None = None
        self._doc = document
        self._make_editor = make_editor
        self._editor: QWidget | None = None
        self._task: Task | None = None
        self._revision = -1
        self._pointers: PointerIndex | None = None
        self._pending_pointer: str | None = None
        self.page = QWidget()
        self.goto_edit = QLineEdit(placeholderText="Go to a line (Ctrl+G), line:column, or a JSON Pointer: /threads/0")
        self.goto_edit.setObjectName("bigGotoEdit")
        self.goto_status = QLabel()
        bar = QWidget()
        bar_layout = QHBoxLayout(bar)
        bar_layout.setContentsMargins(4, 2, 4, 2)
        bar_layout.addWidget(QLabel("Go to:"))
        bar_layout.addWidget(self.goto_edit, 1)
        bar_layout.addWidget(self.goto_status)
        self.view = LineView()
        size = len(document.document.original or b"") if document.document is not None else 0
        self.note = QLabel(f"Preparing the raw text of this {size / 2**20:.0f} MB document…")
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._body = QStackedWidget()
        self._body.addWidget(self.note)
        self._body.addWidget(self.view)
        #: Find only (not ``find_bar``: the window's Replace looks for an editor's find bar with a replace field).
        self.search_bar = FindLine()
        self.search_bar.hide()
        self.status = QLabel()
        self.status.setObjectName("bigRawStatus")
        #: Why the text is not editable here (a document too big for the editor), shown when the user edits.
        self.edit_note = QLabel()
        self.edit_note.setObjectName("tooBigNote")
        self.edit_note.setWordWrap(True)
        self.edit_note.setContentsMargins(6, 4, 6, 4)
        self.edit_note.hide()
        layout = QVBoxLayout(self.page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.edit_note)
        layout.addWidget(bar)
        layout.addWidget(self._body, 1)
        layout.addWidget(self.search_bar)
        layout.addWidget(self.status)
        self.addWidget(self.page)
        self.goto_edit.returnPressed.connect(lambda: self.go_to(self.goto_edit.text()))
        self.search_bar.find_edit.returnPressed.connect(self._find_from_bar)
        self.search_bar.next_button.clicked.connect(lambda: self.find_next())
        self.search_bar.prev_button.clicked.connect(lambda: self.find_next(backward=True))
        self.search_bar.closed.connect(self.view.setFocus)
        self.view.find_requested.connect(self.show_find)
        self.view.goto_requested.connect(self.show_goto)
        self.view.message.connect(self.status.setText)
        document.changed.connect(self._document_changed)
        document.read_only_changed.connect(self._read_only_changed)
        document.text_ready.connect(self._text_arrived)
        #: A form edit's text is being made on the thread pool (``OpenDocument.text_pending``): shown when it arrives.
        self._waits_text = False

    # ------------------------------------------------------------------ the text

    @property
    def loaded(self) -> bool:
        """The text is on screen (False until first shown, while it is being made, and after an edit until the
        document's new text is: a big document's edit tells its views in a later event-loop turn)."""
        if self._editor is not None:
            return bool(getattr(self._editor, "loaded", True))
        current = self._doc.document is None or self._doc.document.revision == self._revision
        return self.view.source is not None and self._task is None and current and not self._waits_text

    @property
    def real(self) -> QWidget | None:
        """The editor, once the user chose to edit (None while this view shows the text read-only)."""
        if self._editor is None:
            return None
        return getattr(self._editor, "real", self._editor)

    def showEvent(self, event: QShowEvent) -> None:  # Override QWidget.showEvent: make the text on first show
        super().showEvent(event)
        if self._editor is None and self.view.source is None:
            self._start()

    def _job_args(self) -> tuple[str | None, bytes | None, Any, bool]:
        doc = self._doc
        assert doc.document is not None
        original = doc.document.original
        text = doc.text if doc.has_text or doc.text_pending else None  # (``_start`` waits for a pending one)
        pretty = original is None or (doc.format_minified and is_minified(original)) or not _utf8_lines(original)
        return text, (None if pretty else original), doc.document.value, pretty

    def _start(self) -> None:
        if self._task is not None or self._doc.document is None:
            return
        if self._doc.text_pending and not self._doc.prepare_text():  # the edited text: ``_text_arrived`` follows
            self._waits_text = True
            return
        self._waits_text = False
        revision = self._doc.document.revision

        def done(result: tuple[Lines, PointerIndex | None], task_revision: int = revision) -> None:
            self._task = None
            if self._doc.document is not None and self._doc.document.revision == task_revision:
                self._install(result, task_revision)
            else:
                self._start()

        def failed(exc: BaseException) -> None:
            self._task = None
            if not isinstance(exc, TaskCancelled):
                self.note.setText(f"The raw text could not be made: {exc}")

        self._task = run_task(_make_source, *self._job_args(), pass_token=True, on_result=done, on_error=failed)

    def load_now(self) -> None:
        """Make the text now, on this thread (not waiting for the thread pool)."""
        if self._editor is not None:
            for name in ("load_now", "ensure_loaded"):
                fill = getattr(self._editor, name, None)
                if callable(fill):
                    fill()
                    return
            return
        if self.loaded or self._doc.document is None:
            return
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._install(_make_source(*self._job_args()), self._doc.document.revision)

    def _install(self, result: tuple[Lines, PointerIndex | None], revision: int) -> None:
        source, pointers = result
        self._waits_text = False
        self._revision = revision
        self._pointers = pointers
        if pointers is not None:
            doc = self._doc
            pointers.value_of = lambda pointer: doc.document.get(pointer) if doc.document is not None else None
        self.view.set_source(source, json_lexer())
        self._body.setCurrentWidget(self.view)
        self.status.setText(
            f"{source.line_count:,} lines · {source.size / 2**20:.0f} MB · read-only (Ctrl+F find, Ctrl+G go to line)"
        )
        pointer, self._pending_pointer = self._pending_pointer, None
        if pointer is not None:
            self.select_pointer(pointer)

    def _text_arrived(self) -> None:
        if self._waits_text:
            self._waits_text = False
            self._start()

    def _document_changed(self) -> None:
        doc = self._doc
        if doc.document is None or self._editor is not None or self._revision < 0:
            return
        if doc.document.revision != self._revision:  # an edit (a form's): show the document's new text
            if self._task is not None:
                self._task.cancel()
                self._task = None
            self._revision = -1
            self._start()

    def _read_only_changed(self, read_only: bool) -> None:
        """The user chose Edit, or an edit started a copy: the editor takes this view's place in a later event-loop
        turn (its first making imports its modules, ~10 ms; a form edit's own splice of a big text is as long)."""
        if read_only or self._make_editor is None or self._editor is not None:
            return
        QTimer.singleShot(1, self, self._put_editor)  # (1 ms: its own pass, before the re-derivation 10 ms later)

    def _put_editor(self) -> None:
        if self._doc.read_only or self._make_editor is None or self._editor is not None:
            return
        made = self._make_editor(self._doc, self)
        if isinstance(made, str):  # the editor does not take this document: this view stays, saying why
            self.edit_note.setText(made)
            self.edit_note.show()
            return
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._editor = made
        self.addWidget(self._editor)
        self.setCurrentWidget(self._editor)
        self.view.set_source(None, None)  # the editor holds the text now
        self._pointers = None

    # ------------------------------------------------------------------ navigation

    def select_pointer(self, pointer: str) -> bool:
        """Select the value at ``pointer``; False when it is not in the text. True while the text is made, or
        while the pointer is looked for on the thread pool (a text not made here: walking 100 MB takes seconds);
        ``pointer_done`` follows then."""
        if self._editor is not None:
            return bool(self._editor.select_pointer(pointer))  # type: ignore[attr-defined]
        source = self.view.source
        if source is None or self._task is not None or self._waits_text:
            self._pending_pointer = pointer
            self._start()
            return True
        if self._locate_task is not None:
            self._locate_task.cancel()
            self._locate_task = None
        if self._pointers is not None:  # the pretty-printed pieces: where each value sits is known
            return self._pointer_found(source, self._pointers.span(source, pointer))
        assert isinstance(source, LineSource)
        if source.size <= LOCATE_HERE:
            return self._pointer_found(source, _walk_to(source.buffer, pointer))

        def done(span: tuple[int, int] | None) -> None:
            self._locate_task = None
            self._pointer_found(source, span)

        def failed(_exc: BaseException) -> None:
            self._locate_task = None

        self.goto_status.setText("looking…")
        self._locate_task = run_task(_walk_to, source.buffer, pointer, on_result=done, on_error=failed)
        return True

    def _pointer_found(self, source: Lines, span: tuple[int, int] | None) -> bool:
        if source is not self.view.source:  # the text changed meanwhile
            return False
        self.goto_status.setText("" if span is not None else "not found")
        if span is not None:
            self.view.select(*span)
        self.pointer_done.emit(span is not None)
        return span is not None

    def selected_text(self) -> str:
        if self._editor is not None:
            return str(self._editor.selected_text())  # type: ignore[attr-defined]
        return self.view.selected_text()

    def go_to(self, where: str) -> bool:
        """Go to ``120`` (a line), ``120:8`` (line and column) or a JSON Pointer (``/logs/0``)."""
        where = where.strip()
        if self.view.source is None:
            return False
        if where.startswith("/") or where == "":
            found = self.select_pointer(where)
        else:
            line_text, _, column_text = where.partition(":")
            try:
                line, column = int(line_text.replace(",", "")), int(column_text or 1)
            except ValueError:
                self.goto_status.setText("a line number or a JSON Pointer")
                return False
            found = self.go_to_line(line, column)
        if found:
            self.view.setFocus()
        return found

    def go_to_line(self, line: int, column: int = 1) -> bool:
        """Put the caret at ``line``, ``column`` (both 1-based) in the middle of the screen."""
        source = self.view.source
        if source is None or not 1 <= line <= source.line_count:
            self.goto_status.setText(f"no line {line}" if source is not None else "")
            return False
        self.goto_status.setText("")
        offset = source.offset(line - 1, max(0, column - 1))
        self.view.select(offset, offset)
        return True

    def show_goto(self) -> None:
        self.goto_edit.setFocus()
        self.goto_edit.selectAll()

    # ------------------------------------------------------------------ find

    def show_find(self) -> None:
        if self._editor is not None:
            self._editor.show_find()  # type: ignore[attr-defined]
            return
        self.search_bar.show()
        selected = self.view.selected_text() if self.view.caret - self.view.anchor < 200 else ""
        if selected and "\n" not in selected:
            self.search_bar.find_edit.setText(selected)
        self.search_bar.find_edit.setFocus()
        self.search_bar.find_edit.selectAll()

    def _find_from_bar(self) -> None:
        shift = QApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
        self.find_next(backward=bool(shift))

    def find_next(self, needle: str | None = None, backward: bool = False) -> bool | None:
        """Select the next (or previous) match after (before) the selection, wrapping around. Returns whether one
        was found; None when the search runs on the thread pool (pretty-printed pieces are written again to be
        searched: seconds for 100 MB), which then selects it and emits ``find_done``."""
        if self._editor is not None:
            return bool(self._editor.find_next(needle, backward))  # type: ignore[attr-defined]
        source = self.view.source
        needle = self.search_bar.find_edit.text() if needle is None else needle
        if self._find_task is not None:
            self._find_task.cancel()
            self._find_task = None
        if source is None or not needle:
            return False
        start, end = sorted((self.view.anchor, self.view.caret))
        args = (needle, start if backward else end)
        options = {"backward": backward, "case": self.search_bar.case.isChecked()}
        if not isinstance(source, PieceSource):  # one C search over the buffer
            found = source.find(*args, **options)  # type: ignore[arg-type]
            self._found(source, found)
            return found is not None

        def search(cancel: CancelToken) -> tuple[int, int] | None:
            return source.find(*args, cancelled=lambda: cancel.cancelled, **options)  # type: ignore[arg-type]

        def done(found: tuple[int, int] | None) -> None:
            self._find_task = None
            self._found(source, found)

        def failed(exc: BaseException) -> None:
            self._find_task = None
            if not isinstance(exc, TaskCancelled | InterruptedError):
                self.search_bar.status.setText(f"find failed: {exc}")

        self.search_bar.status.setText("searching…")
        self._find_task = run_task(search, pass_token=True, on_result=done, on_error=failed)
        return None

    def _found(self, source: Lines, found: tuple[int, int] | None) -> None:
        if source is not self.view.source:  # the text changed meanwhile
            return
        self.search_bar.status.setText("" if found else "not found")
        if found is not None:
            self.view.select(*found)
        self.find_done.emit(found is not None)

    def __getattr__(self, name: str) -> object:
        """Anything else is the editor's, once the user chose to edit (``flush``, ``text``...)."""
        if name.startswith("_"):
            raise AttributeError(name)
        editor = self.__dict__.get("_editor") if hasattr(self, "__dict__") else None
        if editor is None:
            raise AttributeError(name)
        return getattr(editor, name)


def _walk_to(buffer: str | bytes | bytearray, pointer: str) -> tuple[int, int] | None:
    """Offsets of the value at ``pointer`` in a JSON text (bytes: through a passing decoded copy)."""
    text = buffer if isinstance(buffer, str) else bytes(buffer).decode("utf-8", "replace")
    where = locate(text, pointer)
    if where is None:
        return None
    if isinstance(buffer, str) or text.isascii():
        return where.start, where.end
    return len(text[: where.start].encode()), len(text[: where.end].encode())


def _utf8_lines(data: bytes) -> bool:
    """Whether the first bytes of ``data`` read as UTF-8 (else the text is made from the parsed value)."""
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 65536 - 4  # a character cut at the end of the sample
    return True


def _make_source(
    text: str | None, original: bytes | None, value: Any, pretty: bool, cancel: CancelToken | None = None
) -> tuple[Lines, PointerIndex | None]:
    """The lines to show (on a worker): the document's text, its file's lines, or its pretty-printed form (pieces
    written again on demand, never held whole)."""

    def cancelled() -> bool:
        return cancel is not None and cancel.cancelled

    if text is not None:
        return LineSource.index(text, cancelled), None
    if original is not None and not pretty:
        data = original[3:] if original.startswith(b"\xef\xbb\xbf") else original
        return LineSource.index(data, cancelled), None
    made = PieceSource.build(value, cancelled)
    if made is None:  # a value orjson does not write (a huge integer...): the standard library's text
        return LineSource.index(dumps(value, pretty=True).decode("utf-8") + "\n", cancelled), None
    source, root = made
    return source, PointerIndex(root, lambda _pointer: None)
