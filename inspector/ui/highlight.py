"""A Pygments-driven QSyntaxHighlighter that stays fast on huge documents.

Two modes:

* per line (default): each block is lexed on its own. Right for pretty-printed JSON, where no token spans lines,
  and it allows ``lazy`` mode: only blocks the view asked for (the visible ones) are lexed, so a document with a
  million lines never lexes more than a screenful at a time.
* whole text (:meth:`PygmentsHighlighter.set_text_spans`): spans computed once for a short text (a source snippet),
  so multi-line comments and strings colour correctly.
"""

from __future__ import annotations

from pygments.lexer import Lexer
from pygments.token import Comment, Keyword, Name, Number, Operator, String, Token, _TokenType
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from inspector.ui import style
from inspector.ui.highlight_spans import Span, line_spans

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
        lexer: a Pygments lexer (see :func:`inspector.ui.highlight_spans.lexer_for`).
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
        if token in self._formats:
            return self._formats[token]
        fmt: QTextCharFormat | None = None
        walk = token
        while walk is not Token and walk is not None:
            if walk in _SCHEME:
                light, dark, is_bold = _SCHEME[walk]
                fmt = QTextCharFormat()
                fmt.setForeground(QColor(dark if self._dark else light))
                if is_bold:
                    fmt.setFontWeight(QFont.Weight.DemiBold)
                break
            walk = walk.parent
        self._formats[token] = fmt
        return fmt
