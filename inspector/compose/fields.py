"""The structured forms' pure side: each format's editable errors (*roots*) and templates, asked of the format
(``CAPABILITIES.editing``, :mod:`inspector.formats.editing`), and the edits that set a field.

A *root* is one error inside a submission (Backtrace and Rollbar have one; an App Center batch has one per error
log). ``None`` means the format has no such field.
"""

from __future__ import annotations

from typing import Any

from inspector.formats import capabilities
from inspector.formats.base import InspectorError
from inspector.formats.editing import KINDS, Editing, FieldSpec, Root
from inspector.formats.jsondoc import Edit, array_index, join
from inspector.formats.lazy_json import plain

__all__ = [
    "KINDS",
    "FieldSpec",
    "Root",
    "binary_template",
    "json_short",
    "roots",
    "set_edits",
    "summary",
    "thread_template",
]


def _editing(format: str) -> Editing | None:
    try:
        return capabilities(format).editing
    except InspectorError:  # not a format name
        return None


def roots(format: str, value: Any) -> list[Root]:
    """The editable errors of a payload (empty for formats or shapes the forms do not know)."""
    editing = _editing(format)
    if not isinstance(value, dict) or editing is None:
        return []
    return editing.roots(value)


def _declared(format: str) -> Editing:
    editing = _editing(format)
    if editing is None:
        raise InspectorError(f"the forms cannot edit a {format} document")
    return editing


def thread_template(format: str, next_id: int) -> tuple[str | None, Any]:
    """A new thread (key for an object of threads, as Backtrace's; None for arrays) and its value."""
    return _declared(format).new_thread(next_id)


def binary_template(format: str) -> dict[str, Any]:
    return _declared(format).new_binary()


def set_edits(value: Any, pointer: str, new: Any) -> list[Edit]:
    """Edits that set ``pointer`` to ``new``, creating missing parent objects (``/data/person`` for a person id)."""
    from inspector.formats.jsondoc import split

    tokens = split(pointer)
    edits: list[Edit] = []
    current = value
    walked = ""
    for i, token in enumerate(tokens[:-1]):
        walked = join(walked, token)
        if isinstance(current, dict) and token in current:
            current = current[token]
            continue
        index = array_index(token) if isinstance(current, list) else None
        if isinstance(current, list) and index is not None and index < len(current):
            current = current[index]
            continue
        if not isinstance(current, dict):
            raise InspectorError("cannot create a field inside a non-object", where=walked)
        nested: Any = new
        for rest in reversed(tokens[i + 1 :]):
            nested = {rest: nested}
        return [*edits, Edit("set", walked, nested)]
    return [*edits, Edit("set", pointer, new)]


def summary(format: str, item: Any) -> str:
    """One line for a frame, thread or binary in the form lists."""
    if not isinstance(item, dict):
        return json_short(item)
    keys = (
        "funcName",
        "method",
        "methodName",
        "className",
        "name",
        "filename",
        "fileName",
        "library",
        "code_file",
        "path",
        "address",
        "startAddress",
        "start",
        "line",
        "lineno",
        "lineNumber",
        "id",
    )
    parts = [f"{item[k]}" for k in keys if k in item and not isinstance(item[k], dict | list)]
    return " · ".join(parts[:4]) or json_short(item)


def json_short(value: Any, limit: int = 80) -> str:
    import json

    text = json.dumps(plain(value), ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"
