"""A Pygments-driven QSyntaxHighlighter that stays fast on huge documents.

Two modes:

* per line (default): each block is lexed on its own. Right for pretty-printed JSON, where no token spans lines,
  and it allows ``lazy`` mode: only blocks the view asked for (the visible ones) are lexed, so a document with a
  million lines never lexes more than a screenful at a time.
* whole text (:meth:`PygmentsHighlighter.set_text_spans`): spans computed once for a short text (a source snippet),
  so multi-line comments and strings colour correctly.

For big texts (the raw view, the editor) :class:`VisibleHighlighter` is used instead: a QSyntaxHighlighter, even a
lazy one, is called back for every block whenever the whole text is set (6 M Python calls for 100 MB of JSON);
VisibleHighlighter never attaches to the document and sets the formats of the blocks on screen only.
"""

from __future__ import annotations

from pygments.lexer import Lexer
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Token, _TokenType
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument, QTextLayout
from PySide6.QtWidgets import QPlainTextEdit

from inspector.ui import style
from inspector.ui.document.highlight_spans import Span, line_spans

#: (light, dark) colours per token family; the most specific family a token descends from wins.
_SCHEME: dict[_TokenType, tuple[str, str, bool]] = {
    Name.Tag: ("#7a3e9d", "#d7a5ff", False),  # JSON keys
    String: ("#1a7f37", "#8fd694", False),
    Number: ("#0550ae", "#79c0ff", False),
    Keyword: ("#a0262a", "#ff9d8a", True),
    Keyword.Constant: ("#0550ae", "#79c0ff", True),  # true / false / null
    Name.Function: ("#6639ba", "#d2a8ff", False),
    Name.Class: ("#953800", "#ffa657", True),
    Name.Builtin: ("#0550ae", "#79c0ff", False),
    Name.Decorator: ("#953800", "#ffa657", False),
    Comment: ("#6e7781", "#8b949e", False),
    Operator: ("#57606a", "#c9d1d9", False),
}


class PygmentsHighlighter(QSyntaxHighlighter):
    """Colours a QTextDocument with a Pygments lexer.

    Args:
        document: the text to colour.
        lexer: a Pygments lexer (see :func:`inspector.ui.document.highlight_spans.lexer_for`).
        lazy: colour only the blocks passed to :meth:`want_blocks` (for big documents).
    """

    def __init__(self, document: QTextDocument, lexer: Lexer, *, lazy: bool = False) -> None:
        self._lexer = lexer
        self._lazy = lazy
        self._wanted: set[int] = set()
        self._text_spans: list[list[Span]] | None = None
        self._formats: dict[_TokenType, QTextCharFormat | None] = {}
        self._dark = style.is_dark()
        super().__init__(document)

    @property
    def lazy(self) -> bool:
        return self._lazy

    def set_lexer(self, lexer: Lexer) -> None:
        self._lexer = lexer
        self._text_spans = None
        self.rehighlight()

    def set_text_spans(self, spans: list[list[Span]]) -> None:
        """Use spans computed for the whole text (one list per line) instead of lexing line by line."""
        self._text_spans = spans
        self.rehighlight()

    def want_blocks(self, first: int, last: int) -> None:
        """Lazy mode: make sure blocks ``first..last`` (block numbers) are coloured."""
        if not self._lazy:
            return
        doc = self.document()
        for number in range(max(0, first), last + 1):
            if number in self._wanted:
                continue
            block = doc.findBlockByNumber(number)
            if not block.isValid():
                break
            self._wanted.add(number)
            self.rehighlightBlock(block)

    def highlightBlock(self, text: str) -> None:  # Override QSyntaxHighlighter.highlightBlock
        number = self.currentBlock().blockNumber()
        if self._lazy and number not in self._wanted:
            return
        if self._text_spans is not None:
            spans = self._text_spans[number] if number < len(self._text_spans) else []
        else:
            spans = line_spans(text, self._lexer)
        for start, length, token in spans:
            fmt = self._format_for(token)
            if fmt is not None:
                self.setFormat(start, length, fmt)

    def _format_for(self, token: _TokenType) -> QTextCharFormat | None:
        return _format_for(token, self._dark, self._formats)


def _format_for(
    token: _TokenType, is_dark: bool, cache: dict[_TokenType, QTextCharFormat | None]
) -> QTextCharFormat | None:
    if token in cache:
        return cache[token]
    fmt: QTextCharFormat | None = None
    walk = token
    while walk is not Token and walk is not None:
        if walk in _SCHEME:
            light, dark, is_bold = _SCHEME[walk]
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(dark if is_dark else light))
            if is_bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            break
        walk = walk.parent
    cache[token] = fmt
    return fmt


class VisibleHighlighter:
    """Colours only the blocks of a QPlainTextEdit that are asked for (the visible ones), line by line.

    Formats go straight to each block's QTextLayout (what QSyntaxHighlighter does internally), and the block's
    ``userState`` remembers a hash of the text it was coloured for: an edited block is coloured again the next
    time it is asked for, an unchanged one costs a hash. Setting the whole text costs nothing here.
    """

    lazy = True

    def __init__(self, edit: QPlainTextEdit, lexer: Lexer) -> None:
        self._edit = edit
        self._lexer = lexer
        self._formats: dict[_TokenType, QTextCharFormat | None] = {}
        self._dark = style.is_dark()
        #: Block numbers coloured so far (diagnostics and tests; numbers shift when lines are inserted).
        self._wanted: set[int] = set()

    def reset(self) -> None:
        self._wanted.clear()

    def want_blocks(self, first: int, last: int) -> None:
        """Make sure blocks ``first..last`` (block numbers) are coloured."""
        doc = self._edit.document()
        number = max(0, first)
        block = doc.findBlockByNumber(number)
        dirty_from = dirty_to = -1
        while block.isValid() and number <= last:
            text = block.text()
            state = hash(text) & 0x3FFFFFFF
            if block.userState() != state:
                ranges = []
                for start, length, token in line_spans(text, self._lexer) if text else ():
                    fmt = _format_for(token, self._dark, self._formats)
                    if fmt is not None:
                        fr = QTextLayout.FormatRange()
                        fr.start, fr.length, fr.format = start, length, fmt
                        ranges.append(fr)
                block.layout().setFormats(ranges)
                block.setUserState(state)
                if dirty_from < 0:
                    dirty_from = block.position()
                dirty_to = block.position() + block.length()
            self._wanted.add(number)
            block = block.next()
            number += 1
        if dirty_from >= 0:
            doc.markContentsDirty(dirty_from, dirty_to - dirty_from)

    def colour_visible(self, margin: int = 2) -> None:
        """Colour the blocks on screen (plus ``margin`` lines above and below)."""
        edit = self._edit
        first = edit.firstVisibleBlock().blockNumber()
        lines = edit.viewport().height() // max(1, edit.fontMetrics().height()) + 1
        self.want_blocks(first - margin, first + lines + margin)
