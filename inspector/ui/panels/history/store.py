"""The one send-history database of the running app, shared by the panels that record (Send, Capture's resend) and
the History panel that reads it."""

from __future__ import annotations

from inspector.net.history import History

_history: History | None = None


def shared_history() -> History:
    """The history database (opened on first use; again when the data folder moved: tests isolate it per test)."""
    global _history
    from inspector.net.history import default_path

    if _history is None or _history.path != default_path():
        _history = History()
    return _history
