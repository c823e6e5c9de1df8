"""Small Qt helpers shared by the widgets."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

_Q = TypeVar("_Q", bound=QObject)


def named(widget: _Q, name: str) -> _Q:
    """``widget`` with its objectName set (tests and style sheets find it by name): the typed spelling of
    ``QPushButton("Send", objectName="send")``, whose keyword PySide's type stubs do not declare."""
    widget.setObjectName(name)
    return widget
