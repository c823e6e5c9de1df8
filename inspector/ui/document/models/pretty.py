"""Where a JSON Pointer's value sits in the pretty-printed text (``json.dumps(indent=2)`` layout). No Qt here.

The raw view shows the document pretty-printed with two-space indentation. Every scalar and every empty container
takes one line; a non-empty container takes its children's lines plus two. That makes the line of any value
computable from the value tree alone, without keeping an offset table for a 100 MB document.
"""

from __future__ import annotations

import json
from itertools import islice
from typing import Any

import orjson

from inspector.formats.jsondoc import array_index, split
from inspector.formats.lazy_json import plain

INDENT = 2


def pretty_text(value: Any) -> str:
    """The document pretty-printed (orjson when it can; the standard library for big ints, NaN)."""
    try:
        return orjson.dumps(plain(value), option=orjson.OPT_INDENT_2).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(plain(value), indent=INDENT, ensure_ascii=False)


def line_count(value: Any) -> int:
    """Lines ``value`` takes when pretty-printed."""
    stack = [value]
    total = 0
    while stack:
        item = stack.pop()
        if isinstance(item, dict) and item:
            total += 2
            stack.extend(item.values())
        elif isinstance(item, list) and item:
            total += 2
            stack.extend(item)
        else:
            total += 1
    return total


def locate(value: Any, pointer: str) -> tuple[int, int, int] | None:
    """``(first_line, last_line, indent)`` of the value at ``pointer`` (0-based lines), or None if it is not there.

    ``indent`` is the column where the line's text starts (the key, for an object member).
    """
    line = 0
    depth = 0
    current = value
    try:
        tokens = split(pointer)
    except Exception:
        return None
    for token in tokens:
        if isinstance(current, dict):
            if token not in current:
                return None
            line += 1  # the opening brace
            for key, child in current.items():
                if key == token:
                    break
                line += line_count(child)
            current = current[token]
        elif isinstance(current, list):
            index = array_index(token)
            if index is None or index >= len(current):
                return None
            line += 1
            for child in islice(current, index):
                line += line_count(child)
            current = current[index]
        else:
            return None
        depth += 1
    return line, line + line_count(current) - 1, depth * INDENT
