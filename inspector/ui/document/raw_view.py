"""The read-only raw view: the exact payload pretty-printed and highlighted, or a native file's text / hex dump.

DocumentView builds it through :func:`create_raw_view`, so the editor can replace it (``set_raw_view_factory``)
without touching the DocumentView. A big document shown read-only gets
:class:`~inspector.ui.document.line_view.BigRawView` instead (the visible lines painted from the document's text,
its file's bytes or its pretty-printed pieces; nothing copied into Qt). This view shows at most
:data:`RAW_TEXT_LIMIT` characters and highlights lazily: only the blocks on screen are lexed. A text above
:data:`FILL_AT_ONCE` characters is put into the widget only when the view is first shown, a slice per event-loop
turn (:class:`TextFiller`): a single ``setPlainText`` of 8 MB holds the GUI thread for over a second.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QStackedWidget, QWidget

from inspector.formats.jsondoc import split
from inspector.ui import style
from inspector.ui.document.highlight import VisibleHighlighter
from inspector.ui.document.highlight_spans import json_lexer, lexer_for
from inspector.ui.document.line_view import BigRawView
from inspector.ui.document.models.hexdump import BYTES_PER_LINE, hex_dump, looks_binary
from inspector.ui.document.models.pretty import locate, pretty_text
from inspector.ui.document.open_document import OpenDocument

#: Characters of pretty-printed text shown at most (a 100 MB payload shows its first 8 MB; the trees show all).
RAW_TEXT_LIMIT = 8 * 1024 * 1024
#: Bytes of a binary native file shown as hex.
HEX_LIMIT = 256 * 1024
#: Above this many lines, highlighting is lazy (visible blocks only).
LAZY_LINES = 3000
#: Texts up to this many characters go into the widget at once (and at construction); longer ones in slices.
FILL_AT_ONCE = 512 * 1024
#: Characters per slice of a filling, and the time one event-loop turn may spend inserting slices.
FILL_CHUNK = 64 * 1024
FILL_BUDGET_S = 0.015


class TextFiller(QObject):
    """Puts a big text into a QPlainTextEdit a slice at a time from a zero timer, so the event loop never stalls
    (8 MB: ~1 s of work in steps of ~20 ms). ``finished`` is emitted once the whole text is in.

    Short texts (up to :data:`FILL_AT_ONCE`) go in at once and ``finished`` is emitted before :meth:`start` returns.
    """

    finished = Signal()

    def __init__(self, edit: QPlainTextEdit) -> None:
        super().__init__(edit)
        self._edit = edit
        self._text = ""
        self._pos = 0
        self.active = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._step)

    def start(self, text: str) -> None:
        self._timer.stop()
        self._text = text
        if len(text) <= FILL_AT_ONCE:
            self.active = True
            try:
                self._edit.setPlainText(text)
            finally:
                self.active = False
                self._text = ""
            self.finished.emit()
            return
        self.active = True
        self._edit.setPlainText("")
        self._pos = 0
        self._timer.start(0)

    def finish_now(self) -> None:
        """Insert the rest at once (an explicit request that needs the whole text)."""
        if self.active:
            self._step(budget=float("inf"))

    def cancel(self) -> None:
        self._timer.stop()
        self.active = False
        self._text = ""

    def _step(self, budget: float = FILL_BUDGET_S) -> None:
        end = time.perf_counter() + budget
        cursor = QTextCursor(self._edit.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        text = self._text
        while self._pos < len(text):
            cursor.insertText(text[self._pos : self._pos + FILL_CHUNK])
            self._pos += FILL_CHUNK
            if time.perf_counter() >= end:
                break
        if self._pos < len(text):
            self._timer.start(0)
            return
        self.active = False
        self._text = ""
        top = QTextCursor(self._edit.document())
        self._edit.setTextCursor(top)
        self.finished.emit()


class RawView(QPlainTextEdit):
    """Shows one OpenDocument's payload. ``select_pointer`` selects a value by JSON Pointer."""

    def __init__(self, document: OpenDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rawView")
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(style.mono_font())
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self._document = document
        self._mode = "json"
        self._shown_lines = 0
        self.truncated = False
        self.highlighter: VisibleHighlighter | None = None
        self._text = ""
        #: The text is not in the widget yet (a big text waits until the view is first shown).
        self._stale = True
        self._pending_pointer: str | None = None
        self._filler = TextFiller(self)
        self._filler.finished.connect(self._filled)
        self._lazy_timer = QTimer(self)
        self._lazy_timer.setSingleShot(True)
        self._lazy_timer.setInterval(30)
        self._lazy_timer.timeout.connect(self.highlight_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._lazy_timer.start())
        self.reload()
        document.changed.connect(self.reload)

    # ------------------------------------------------------------------ content

    def reload(self) -> None:
        doc = self._document
        if doc.document is not None:
            self._mode = "json"
            original = doc.document.original
            shown = getattr(doc, "text", None)
            if original is not None and len(original) > RAW_TEXT_LIMIT and isinstance(shown, str) and shown:
                # A big document: OpenDocument already holds its text; pretty-printing 100 MB again here would
                # stall the GUI thread for a second. Pointers are then found by scanning the text.
                self._mode = "json-text"
                text = shown
            else:
                text = pretty_text(doc.document.value)
            lexer = json_lexer()
        else:
            body = doc.submission.envelope.body
            if looks_binary(body):
                self._mode = "hex"
                text = hex_dump(body, HEX_LIMIT)
                lexer = None
            else:
                self._mode = "text"
                text = body.decode("utf-8", "replace")
                lexer = lexer_for(doc.submission.envelope.source_name or "")
        self.truncated = len(text) > RAW_TEXT_LIMIT
        if self.truncated:
            cut = text.rfind("\n", 0, RAW_TEXT_LIMIT)
            text = text[: cut if cut > 0 else RAW_TEXT_LIMIT]
            text += f"\n… the raw text is cut here: {RAW_TEXT_LIMIT // 2**20} MB of {len(text) // 2**20}+ MB shown"
        self._shown_lines = text.count("\n") + 1
        self.highlighter = VisibleHighlighter(self, lexer) if lexer is not None else None
        self._text = text
        self._stale = True
        self._filler.cancel()
        if len(text) <= FILL_AT_ONCE or self.isVisible():
            self._fill()

    @property
    def loaded(self) -> bool:
        """The whole text is in the widget (False while it waits for the first show or is being filled)."""
        return not self._stale and not self._filler.active

    def load_now(self) -> None:
        """Put the whole text in now, at once (not waiting for the first show or the slices)."""
        if self._stale:
            self._fill()
        self._filler.finish_now()

    def _fill(self) -> None:
        self._stale = False
        self._filler.start(self._text)

    def _filled(self) -> None:
        pointer, self._pending_pointer = self._pending_pointer, None
        if pointer is not None:
            self.select_pointer(pointer)
        self.highlight_visible()

    def showEvent(self, event: QShowEvent) -> None:  # Override QWidget.showEvent: a big text fills on first show
        super().showEvent(event)
        if self._stale:
            self._fill()

    @property
    def mode(self) -> str:
        """``json`` (pretty-printed), ``json-text`` (a big document's own text), ``text`` (Apple), ``hex``."""
        return self._mode

    def highlight_visible(self) -> None:
        """Lazy mode: colour the blocks on screen (plus a margin)."""
        if self.highlighter is None or self._filler.active:
            return
        first = self.firstVisibleBlock().blockNumber()
        rows = max(50, self.viewport().height() // max(1, self.fontMetrics().height()) + 10)
        self.highlighter.want_blocks(first - 10, first + rows)

    def resizeEvent(self, event) -> None:  # Override QPlainTextEdit.resizeEvent
        super().resizeEvent(event)
        self._lazy_timer.start()

    # ------------------------------------------------------------------ navigation

    def select_pointer(self, pointer: str) -> bool:
        """Select the value at ``pointer``; False when it is not shown here."""
        span = self._span_for(pointer)
        if span is None:
            return False
        if not self.loaded:  # selected once the text is in (a big text fills in slices)
            self._pending_pointer = pointer
            if self._stale:
                self._fill()
            if not self.loaded:
                return True
            self._pending_pointer = None
        (first, start_col), (last, end_col) = span
        doc = self.document()
        start_block = doc.findBlockByNumber(first)
        end_block = doc.findBlockByNumber(last)
        if not start_block.isValid() or not end_block.isValid():
            return False
        cursor = QTextCursor(start_block)
        cursor.setPosition(start_block.position() + min(start_col, start_block.length() - 1))
        end_text = end_block.text()
        end = min(end_col, len(end_text)) if end_col >= 0 else len(end_text.rstrip().rstrip(","))
        cursor.setPosition(end_block.position() + end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()
        self.highlight_visible()
        return True

    def selected_text(self) -> str:
        return self.textCursor().selectedText().replace("\u2029", "\n")

    def _span_for(self, pointer: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if self._mode == "json-text":
            return self._span_by_scanning(pointer)
        if self._mode == "json":
            value = self._document.document.value if self._document.document is not None else None
            found = locate(value, pointer)
            if found is None:
                return None
            first, last, indent = found
            if last >= self._shown_lines - (1 if self.truncated else 0):
                return None
            start = indent
            tokens = split(pointer)
            if tokens:
                parent = locate(value, pointer.rsplit("/", 1)[0])
                json_doc = self._document.document
                parent_value = json_doc.get(pointer.rsplit("/", 1)[0]) if parent and json_doc is not None else None
                if isinstance(parent_value, dict):
                    start += len(json.dumps(tokens[-1], ensure_ascii=False)) + 2
            return (first, start), (last, -1)
        tokens = pointer.split("/")
        if len(tokens) >= 3 and tokens[1] == "@offset" and tokens[2].isdigit():
            offset = int(tokens[2])
            if self._mode == "hex":
                line = offset // BYTES_PER_LINE
                return (line, 0), (line, -1)
            text = self._text
            line = text.count("\n", 0, offset)
            return (line, 0), (line, -1)
        if len(tokens) >= 3 and tokens[1] == "@line" and tokens[2].isdigit():
            line = max(0, int(tokens[2]) - 1)
            return (line, 0), (line, -1)
        return None

    def _span_by_scanning(self, pointer: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
        try:
            from inspector.compose.locate import locate as locate_in_text
        except ImportError:
            return None
        text = self._text
        found = locate_in_text(text, pointer)
        if found is None:
            return None
        start_line = text.count("\n", 0, found.start)
        end_line = start_line + text.count("\n", found.start, found.end)
        start_col = found.start - (text.rfind("\n", 0, found.start) + 1)
        end_col = found.end - (text.rfind("\n", 0, found.end) + 1)
        return (start_line, start_col), (end_line, end_col)


RawViewFactory = Callable[[OpenDocument, QWidget | None], QWidget]
_factory: RawViewFactory = RawView


def set_raw_view_factory(factory: RawViewFactory) -> None:
    """Let the editor replace the read-only view (the widget must offer ``select_pointer(pointer) -> bool``)."""
    global _factory
    _factory = factory


def create_raw_view(document: OpenDocument, parent: QWidget | None = None) -> QWidget:
    """The raw view for a document: the installed factory's for JSON; native files (minidump hex, Apple text)
    always get this read-only view, since there is no JSON to edit.

    A big document (above ``BIG_DOCUMENT``) shown read-only (opened from a file, or no editor installed) gets a
    :class:`~inspector.ui.document.line_view.BigRawView`: it paints the visible lines only and never copies the
    text into Qt; when the user chooses to edit, the factory's editor takes its place. Any other big document whose
    text is not made yet gets a :class:`PendingRawView`, which makes it on the thread pool when first shown."""
    if document.document is None:
        return RawView(document, parent)
    if document.is_big and (document.read_only or _factory is RawView):
        return BigRawView(document, None if _factory is RawView else _editor_for, parent)
    if not document.has_text:
        return PendingRawView(document, _factory, parent)
    return _factory(document, parent)


def _editor_for(document: OpenDocument, parent: QWidget) -> QWidget | str:
    """The installed factory's view (an editor) for a big document the user chose to edit, or why it does not
    take it (the factory's ``too_big_note``, asked first: it knows without making the text when the file says)."""
    too_big = getattr(_factory, "too_big_note", None)
    note = too_big(document) if callable(too_big) else None
    if note:
        return str(note)
    if not document.has_text:
        return PendingRawView(document, _factory, parent)
    return _factory(document, parent)


class PendingRawView(QStackedWidget):
    """Stands in for the raw view until the big document's text is made (pretty-printing 100 MB takes seconds:
    on the thread pool, started the first time this is shown, never before the trees are on screen).

    ``select_pointer`` is remembered and applied when the view arrives; any other attribute of the real view
    (``load_now``, ``toPlainText``, ``mode``...) makes the text now, on the calling thread, and answers from it.
    """

    def __init__(self, document: OpenDocument, factory: RawViewFactory, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = document
        self._factory = factory
        self._real: QWidget | None = None
        self._pointer: str | None = None
        size = len(document.document.original or b"") if document.document is not None else 0
        self._label = QLabel(f"Preparing the raw text of this {size / 2**20:.0f} MB document…")
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(self._label)
        document.text_ready.connect(self._arrive)

    @property
    def real(self) -> QWidget | None:
        """The raw view once the text is ready."""
        return self._real

    def showEvent(self, event: QShowEvent) -> None:  # Override QWidget.showEvent: make the text on first show
        super().showEvent(event)
        if self._real is None and self._doc.prepare_text():
            self._arrive()

    def select_pointer(self, pointer: str) -> bool:
        if self._real is not None:
            return bool(self._real.select_pointer(pointer))  # type: ignore[attr-defined]
        self._pointer = pointer
        if self._doc.prepare_text():
            self._arrive()
            return bool(self._real is not None and self._real.select_pointer(pointer))  # type: ignore[attr-defined]
        return True  # selected when the text arrives

    def selected_text(self) -> str:
        if self._real is None:
            return ""
        return str(self._real.selected_text())  # type: ignore[attr-defined]

    def _arrive(self) -> None:
        if self._real is not None:
            return
        self._real = self._factory(self._doc, self)
        self.addWidget(self._real)
        self.setCurrentWidget(self._real)
        self.removeWidget(self._label)
        self._label.deleteLater()
        pointer, self._pointer = self._pointer, None
        if pointer is not None:
            self._real.select_pointer(pointer)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._real is None:
            self._doc.text  # noqa: B018 (made now, on this thread)
            self._arrive()
        return getattr(self._real, name)
