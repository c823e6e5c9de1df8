"""Map a JSON Pointer to the row it belongs to, without scanning a million rows. No Qt here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspector.formats.jsondoc import array_index


def within(pointer: str, base: str) -> bool:
    """True when ``pointer`` is ``base`` or inside it."""
    return bool(base) and (pointer == base or pointer.startswith(base + "/"))


def index_for_pointer(rows: Sequence[Any], pointer: str) -> int | None:
    """The row whose ``pointer`` is or contains ``pointer``.

    Rows of one list share a parent pointer (``/threads/main/stack/0``, ``.../1``...), so the index is read from
    the pointer and checked, instead of converting every row.
    """
    if not len(rows):
        return None
    first = getattr(rows[0], "pointer", "")
    if not first or "/" not in first:
        return None
    prefix = first.rsplit("/", 1)[0]
    if not pointer.startswith(prefix + "/"):
        return None
    token = pointer[len(prefix) + 1 :].split("/", 1)[0]
    index = array_index(token)
    if index is None or index >= len(rows):
        return None
    return index if within(pointer, rows[index].pointer) else None
