"""The window's typed panel API: what a panel may hook into, and how it registers.

A panel's ``install(window)`` appends its callbacks here (``window.hooks.close_tab_guards.append(...)``) instead of
replacing the window's methods or re-routing its actions; the window calls them at the documented moments. No panel
finds another by name or through a module global: what one panel offers the others (sending a submission, a payload
recorded in the history) is a typed slot here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from inspector.formats.base import Submission
    from inspector.ui.document.open_document import OpenDocument

#: Called with a document: it got a tab (opened, created, restored), or its tab closed.
DocumentHook = Callable[["OpenDocument"], None]
#: Asked before a document's tab closes (the close button, Ctrl+W, Close All): False keeps the tab open. A guard may
#: ask the user (Save / Discard / Cancel).
CloseTabGuard = Callable[["OpenDocument"], bool]
#: Asked when the user quits (File › Quit, the title bar's close button): False keeps the window open.
QuitGuard = Callable[[], bool]
#: A payload was sent and recorded in the history (its history id).
RecordedHook = Callable[[int], None]


class SendSubmission(Protocol):
    """What the Send panel offers the others: show the panel and send ``submission`` with the profile of that name
    (None, or a name it does not know: the one chosen in the panel), ``source`` naming where it came from in the
    history. True when the send started."""

    def __call__(self, submission: Submission, profile_name: str | None = None, source: str = "") -> bool: ...


@dataclass(eq=False)
class WindowHooks:
    """The hooks of one window (``window.hooks``), called in the order they were registered."""

    document_opened: list[DocumentHook] = field(default_factory=list)
    document_closed: list[DocumentHook] = field(default_factory=list)
    close_tab_guards: list[CloseTabGuard] = field(default_factory=list)
    quit_guards: list[QuitGuard] = field(default_factory=list)
    payload_recorded: list[RecordedHook] = field(default_factory=list)
    #: Set by the Send panel's install (the History panel's Resend uses it); None without a Send panel.
    send_submission: SendSubmission | None = None

    def may_close(self, document: OpenDocument) -> bool:
        """Every close-tab guard agrees (the first that says no stops the asking)."""
        return all(guard(document) for guard in self.close_tab_guards)

    def may_quit(self) -> bool:
        """Every quit guard agrees (the first that says no stops the asking)."""
        return all(guard() for guard in self.quit_guards)

    def opened(self, document: OpenDocument) -> None:
        for hook in list(self.document_opened):
            hook(document)

    def closed(self, document: OpenDocument) -> None:
        for hook in list(self.document_closed):
            hook(document)

    def recorded(self, history_id: int) -> None:
        for hook in list(self.payload_recorded):
            hook(history_id)
