"""Substring filtering over LazyLists, in chunks so a worker can be cancelled. No Qt here.

A plain scan of raw items through ``LazyList.text`` is the fast path (no dataclass per row); recursive
QSortFilterProxyModel filtering would be 10-100x slower on a million frames.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

#: Rows scanned between two cancellation checks.
CHUNK = 65536


def row_text(rows: Sequence[Any]) -> Callable[[int], str]:
    """The searchable text of row ``i``: LazyList.text when available, else the row's search_text()."""
    text = getattr(rows, "text", None)
    if text is not None:
        return text
    return lambda i: rows[i].search_text()


def matching(rows: Sequence[Any], needle: str, check: Callable[[], None] | None = None) -> list[int]:
    """Indexes of rows containing ``needle`` (case-insensitive); ``check()`` is called between chunks."""
    needle = needle.lower()
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
