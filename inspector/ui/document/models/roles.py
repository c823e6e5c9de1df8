"""Custom item data roles shared by every model (defined once, on UserRole)."""

from __future__ import annotations

from PySide6.QtCore import Qt

_BASE = Qt.ItemDataRole.UserRole.value

#: The JSON Pointer of a row's source value (str) or None.
POINTER_ROLE = _BASE + 1
#: A Python value to sort by (int for addresses and sizes: 64-bit safe, compared in Python).
SORT_ROLE = _BASE + 2
#: The row's report object (Frame, Thread, Binary, TelemetryEvent, Attachment, Problem...).
OBJECT_ROLE = _BASE + 3
#: The text "Copy row" puts on the clipboard.
COPY_ROLE = _BASE + 4
#: The kind of a tree node: "stack", "frame", "group", "variable", "value".
KIND_ROLE = _BASE + 5


def variant_safe(value: object) -> object:
    """A value a QVariant can hold: ints beyond signed 64 bits (addresses, big JSON ints) become their text."""
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return str(value)
    return value
