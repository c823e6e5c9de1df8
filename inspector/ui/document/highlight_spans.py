"""Pygments tokens to (start, length, token type) spans, with the UTF-16 offsets Qt counts in. No Qt here.

Qt measures text in UTF-16 code units; Python in code points. An emoji before a token shifts every later span by
one unit, so offsets are converted here once, where it is easy to test.
"""

from __future__ import annotations

from functools import cache

from pygments.lexer import Lexer
from pygments.lexers import JsonLexer, TextLexer, get_lexer_by_name, get_lexer_for_filename
from pygments.token import _TokenType
from pygments.util import ClassNotFound

#: Languages as report payloads spell them, mapped to a Pygments lexer name.
_LANGUAGE_ALIASES = {
    "js": "javascript",
    "node": "javascript",
    "nodejs": "javascript",
    "typescript": "typescript",
    "python": "python",
    "py": "python",
    "java": "java",
    "kotlin": "kotlin",
    "csharp": "csharp",
    "c#": "csharp",
    "dotnet": "csharp",
    ".net": "csharp",
    "swift": "swift",
    "objc": "objective-c",
    "objective-c": "objective-c",
    "c": "c",
    "c++": "cpp",
    "cpp": "cpp",
    "ruby": "ruby",
    "php": "php",
    "go": "go",
    "rust": "rust",
    "json": "json",
}

Span = tuple[int, int, _TokenType]


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (characters outside the BMP count twice)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@cache
def lexer_for(file_name: str | None = None, language: str | None = None) -> Lexer:
    """The lexer for a source file: by file name first, then by the payload's language, else plain text."""
    if file_name:
        base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
        try:
            return get_lexer_for_filename(base, stripnl=False, ensurenl=False)
        except ClassNotFound:
            pass
    if language:
        name = _LANGUAGE_ALIASES.get(language.strip().lower(), language.strip().lower())
        try:
            return get_lexer_by_name(name, stripnl=False, ensurenl=False)
        except ClassNotFound:
            pass
    return TextLexer(stripnl=False, ensurenl=False)


@cache
def json_lexer() -> Lexer:
    return JsonLexer(stripnl=False, ensurenl=False)


def line_spans(line: str, lexer: Lexer) -> list[Span]:
    """Spans of one line (without its newline), offsets in UTF-16 units.

    The line is lexed with a trailing newline: some Pygments lexers loop forever on text that does not end
    with one.
    """
    spans: list[Span] = []
    pos16 = 0
    for _index, token, value in lexer.get_tokens_unprocessed(line + "\n"):
        if not value:
            continue
        length = utf16_len(value)
        spans.append((pos16, length, token))
        pos16 += length
    limit = utf16_len(line)
    clipped: list[Span] = []
    for start, length, token in spans:
        if start >= limit:
            break
        clipped.append((start, min(length, limit - start), token))
    return clipped


def text_spans(text: str, lexer: Lexer) -> list[list[Span]]:
    """Spans per line of a multi-line ``text`` (lexed as a whole so multi-line strings and comments work)."""
    lines = text.split("\n")
    result: list[list[Span]] = [[] for _ in lines]
    source = text if text.endswith("\n") else text + "\n"
    line_no, col16 = 0, 0
    for _index, token, value in lexer.get_tokens_unprocessed(source):
        parts = value.split("\n")
        for n, part in enumerate(parts):
            if n:
                line_no += 1
                col16 = 0
            if part and line_no < len(result):
                length = utf16_len(part)
                result[line_no].append((col16, length, token))
                col16 += length
    return result
