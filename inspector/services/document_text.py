"""A document's text for the editor, prepared without Qt: the file as written, or pretty-printed when it is
minified; big texts decoded and pretty-printed in pieces; where a JSON syntax error is.

The window runs :func:`initial_text` on a worker while it stays in use (one C call over 100 MB, ``bytes.decode``
or ``orjson.dumps``, holds the GIL for its length: pieces keep each hold short).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import orjson

from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import Document
from inspector.formats.lazy_json import DUMPS_OPTIONS, is_chunked, pretty_default

#: Above this many bytes of text, parsing and validation run on the thread pool (the GUI stays fluid).
BIG_DOCUMENT = 2 * 1024 * 1024
#: A text whose longest line is longer than this is shown pretty-printed (QPlainTextEdit crawls on huge lines).
LONG_LINE = 5000

_LINE_COL = re.compile(r"line (\d+) column (\d+)")


#: Below this size a file on fewer than :data:`MINIFIED_LINES` lines is short enough to read as written.
MINIFIED_MIN_BYTES = 120
MINIFIED_LINES = 2


def is_minified(data: bytes) -> bool:
    """Whether ``data`` is JSON written for machines: one huge line, or (over a few bytes) hardly any newline."""
    if _has_long_line(data):
        return True
    head = data[:65536]
    return len(data) > MINIFIED_MIN_BYTES and head.count(b"\n", 0, len(head.rstrip())) < MINIFIED_LINES


def initial_text(document: Document, *, format_minified: bool = True) -> str:
    """The text to show: the file as written, unless it is minified; then pretty-printed for reading.

    ``format_minified`` (the raw-view setting, on by default) pretty-prints any minified file; off, only a file with
    a line too long for the editor is. The bytes saved and sent stay the original ones until the user edits.

    Big documents are decoded and pretty-printed in pieces: this runs on a worker while the window is in use,
    and one C call over 100 MB (``bytes.decode``, ``orjson.dumps``) holds the GIL, freezing the window for its length.
    """
    original = document.original
    minified = original is not None and (is_minified(original) if format_minified else _has_long_line(original))
    if original is not None and not minified:
        try:
            text = _decode_in_pieces(original)
        except UnicodeDecodeError:
            text = ""
        if text:
            return text
    if original is not None and len(original) > BIG_DOCUMENT:
        pretty = _pretty_in_pieces(document.value)
        if pretty is not None:
            return pretty
    return document.text(pretty=True)


#: Size of the pieces big texts are decoded and pretty-printed in (each piece is one short hold of the GIL).
PIECE = 1024 * 1024


def _has_long_line(data: bytes, lines: int = 10_000) -> bool:
    """Whether one of the first ``lines`` lines is longer than :data:`LONG_LINE` (a minified file)."""
    start = 0
    for _ in range(lines):
        end = data.find(b"\n", start, start + LONG_LINE + 1)
        if end < 0:
            return len(data) - start > LONG_LINE
        start = end + 1
    return False


def _decode_in_pieces(data: bytes) -> str:
    """``data.decode("utf-8-sig")``, a piece at a time (cut after a newline, never inside a character)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if len(data) <= PIECE:
        return data.decode("utf-8")
    pieces = []
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + PIECE)
        end = len(data) if end < 0 else end + 1
        pieces.append(data[start:end].decode("utf-8"))
        start = end
    return "".join(pieces)


def _pretty_in_pieces(value: Any) -> str | None:
    """``dumps(value, pretty=True)`` built from one orjson call per item of the root's children (the same bytes,
    in short holds of the GIL). None when a piece needs the standard library (huge integers, NaN...)."""
    out: list[bytes] = []
    try:
        _pretty_pieces(value, 0, out)
    except (TypeError, orjson.JSONEncodeError):
        return None
    out.append(b"\n")
    return _decode_in_pieces(b"".join(out))


def _pretty_pieces(value: Any, depth: int, out: list[bytes]) -> None:
    # chunked containers (lazy_json) element by element at any depth: they are decoded a chunk at a time
    if (depth < 2 or is_chunked(value)) and isinstance(value, dict | list) and value:
        pad = b"  " * (depth + 1)
        is_dict = isinstance(value, dict)
        out.append(b"{\n" if is_dict else b"[\n")
        items: Iterable[tuple[Any, Any]] = value.items() if isinstance(value, dict) else enumerate(value)
        for i, (key, item) in enumerate(items):
            if is_dict and not isinstance(key, str):
                raise TypeError("a non-string key: left to dumps()")
            out.append(b",\n" + pad if i else pad)
            if is_dict:
                out.append(orjson.dumps(key) + b": ")
            _pretty_pieces(item, depth + 1, out)
        out.append(b"\n" + b"  " * depth + (b"}" if is_dict else b"]"))
        return
    piece = orjson.dumps(value, default=pretty_default, option=orjson.OPT_INDENT_2 | DUMPS_OPTIONS)
    out.append(piece.replace(b"\n", b"\n" + b"  " * depth) if depth else piece)


def error_position(exc: InspectorError | None) -> tuple[int, int] | None:
    """(line, column), both 1-based, of a JSON syntax error."""
    if exc is None:
        return None
    match = _LINE_COL.search(exc.where or "") or _LINE_COL.search(exc.message)
    return (int(match.group(1)), int(match.group(2))) if match else None


__all__ = ["BIG_DOCUMENT", "LONG_LINE", "PIECE", "error_position", "initial_text", "is_minified"]
