"""Substring filtering over LazyLists, in chunks so a worker can be cancelled. No Qt here.

A plain scan of raw items through ``LazyList.text`` finds the first result at once (no dataclass per row). The
whole scan of a big list uses a :class:`SearchIndex`: every row's lower-cased text in one string, rows separated by
a newline, with the start of each row in an ``array``; a needle is then found by ``str.find`` (C speed) and mapped to
its row by bisection. The index is built on the first filter of a list (as costly as one plain scan) and kept on the
list (``LazyList.search_cache``), so every later filter (each keystroke of the filter box) scans a million frames in
tens of milliseconds. An edit re-derives the reports, and so the lists: a stale index cannot survive. Memory: the
rows' text once (~60 bytes a frame) and 8 bytes a row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add
from typing import Any

#: Rows scanned between two cancellation checks.
CHUNK = 65536
#: Lists with at least this many rows get a search index; shorter ones are scanned row by row.
INDEX_MIN_ROWS = 64


def row_text(rows: Sequence[Any]) -> Callable[[int], str]:
    """The searchable text of row ``i``: LazyList.text when available, else the row's search_text()."""
    text = getattr(rows, "text", None)
    if text is not None:
        return text
    return lambda i: rows[i].search_text()


class SearchIndex:
    """Every row's lower-cased text joined by newlines (a row's own newlines become spaces) and the rows' starts."""

    __slots__ = ("rows", "starts", "text")

    def __init__(self, text: str, starts: array, rows: int) -> None:
        self.text = text
        self.starts = starts
        self.rows = rows

    @classmethod
    def build(cls, rows: Sequence[Any], check: Callable[[], None] | None = None) -> SearchIndex:
        """Lower-case every row's text, a chunk at a time (``check()`` between chunks), with C-speed joins."""
        total = len(rows)
        texts = getattr(rows, "texts", None)
        text = row_text(rows)
        pieces: list[str] = []
        lengths = array("q")
        for begin in range(0, total, CHUNK):
            if check is not None:
                check()
            end = min(total, begin + CHUNK)
            parts = texts(begin, end) if texts is not None else [text(i) for i in range(begin, end)]
            joined = "\n".join(parts)
            lowered = joined.lower()
            if len(lowered) != len(joined) or lowered.count("\n") != len(parts) - 1:
                # a character whose lower case is longer (U+0130), or a row with its own newline: row by row
                parts = [part.lower().replace("\n", " ") for part in parts]
                lowered = "\n".join(parts)
            lengths.extend(map(len, parts))
            pieces.append(lowered)
        starts = array("q", accumulate(map(add, lengths, repeat(1)), initial=0))
        return cls("\n".join(pieces), starts, total)

    def matching(self, needle: str) -> list[int]:
        """Rows whose text contains ``needle`` (already lower-cased, without a newline), in order."""
        found: list[int] = []
        text, starts, last = self.text, self.starts, self.rows - 1
        pos = text.find(needle)
        while pos >= 0:
            row = bisect_right(starts, pos) - 1
            found.append(row)
            if row >= last:
                break
            pos = text.find(needle, starts[row + 1])
        return found


def search_index(rows: Sequence[Any], check: Callable[[], None] | None = None) -> SearchIndex | None:
    """The list's search index (built now if it has none), or None for short lists and plain sequences."""
    if len(rows) < INDEX_MIN_ROWS or not hasattr(rows, "search_cache"):
        return None
    index = rows.search_cache
    if not isinstance(index, SearchIndex) or index.rows != len(rows):
        index = SearchIndex.build(rows, check)
        rows.search_cache = index  # type: ignore[attr-defined]
    return index


def matching(rows: Sequence[Any], needle: str, check: Callable[[], None] | None = None) -> list[int]:
    """Indexes of rows containing ``needle`` (case-insensitive); ``check()`` is called between chunks."""
    needle = needle.lower()
    if "\n" not in needle:
        index = search_index(rows, check)
        if index is not None:
            return index.matching(needle)
    text = row_text(rows)
    found: list[int] = []
    total = len(rows)
    for start in range(0, total, CHUNK):
        if check is not None:
            check()
        found.extend(i for i in range(start, min(total, start + CHUNK)) if needle in text(i).lower())
    return found


@dataclass(slots=True)
class StackFilter:
    """Which stacks (exceptions/threads) and which of their frames a filter keeps.

    ``frames[s]`` is None when stack ``s`` matched by itself (all its frames shown).
    """

    stacks: list[int]
    frames: dict[int, list[int] | None]


def filter_stacks(
    stack_texts: Sequence[str],
    stack_frames: Sequence[Sequence[Any]],
    needle: str,
    check: Callable[[], None] | None = None,
) -> StackFilter:
    """Keep a stack when its own text matches (with every frame) or when any of its frames matches."""
    lowered = needle.lower()
    kept: list[int] = []
    frames: dict[int, list[int] | None] = {}
    for s, (title, rows) in enumerate(zip(stack_texts, stack_frames, strict=True)):
        if lowered in title.lower():
            kept.append(s)
            frames[s] = None
            continue
        hits = matching(rows, lowered, check)
        if hits:
            kept.append(s)
            frames[s] = hits
    return StackFilter(kept, frames)
