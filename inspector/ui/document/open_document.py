"""One open document: the submission, its reports and problems, and the single path every edit goes through.

Views never change the payload themselves: forms call :meth:`OpenDocument.apply_edits`, the raw editor calls
:meth:`OpenDocument.replace_text`, the attachments panel :meth:`OpenDocument.set_attachments` (Backtrace parts;
App Center attachments are JSON and go through ``apply_edits``). Each pushes a command on the undo stack,
re-derives the reports and re-validates, then emits ``changed``. A JSON syntax error in the raw text keeps the
last good document (and so the trees) and is exposed as ``syntax_error``.

The document also owns ``text``, the JSON text the editor shows. Form edits splice the new value into that text
(:func:`inspector.compose.locate.splice`), so the user's formatting, unknown keys and key order survive; undo
restores the exact text of before. Documents above :data:`BIG_DOCUMENT` bytes are validated on the thread pool.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMetaObject, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack

from inspector import atomic
from inspector.compose import bundle
from inspector.compose.drafts import DraftStore
from inspector.compose.locate import Location, locate_nearest, parent, render_value, splice
from inspector.formats import get_format, validate
from inspector.formats.base import Cancelled, InspectorError, Part, Problem, Submission, cancellable, warning
from inspector.formats.jsondoc import Document, Edit, dumps
from inspector.formats.lazy_json import is_chunked
from inspector.formats.lazy_json import plain as lazy_plain
from inspector.report import Report
from inspector.services.document_text import BIG_DOCUMENT, error_position, initial_text
from inspector.ui.window.preferences import current_settings
from inspector.ui.workers import CancelToken, Task, TaskCancelled, keeping_objects, run_task

log = logging.getLogger(__name__)

#: Big documents up to this size get their text made on the thread pool soon after they open (the editor and form
#: edits need it); bigger ones (read-only in the editor) only when the raw view is first shown.
PREPARE_TEXT_LIMIT = 32 * 1024 * 1024


#: How long after opening a big document its validation starts (after the tab's first paint).
FIRST_VALIDATION_DELAY_MS = 300

#: How long after a big document's edit its reports are derived again (the edit's own event-loop pass has ended).
REFRESH_AFTER_EDIT_MS = 10

#: How long after a big document's edit is re-derived its validation starts (after the views' refresh, 1 ms later).
VALIDATION_AFTER_EDIT_MS = 40

#: How long after the last form edit of a big document whose text is not made (:class:`PendingText`) the thread pool
#: makes it (a save, a draft and the raw view need it; edits in a row make it once).
TEXT_AFTER_EDIT_MS = 300

#: A form edit of a big document whose text is not made keeps a private copy of the value it splices (the text is
#: made from it later); a value of more nodes than this (or a chunked one) makes the text at once instead.
COPY_LIMIT = 20_000


class PendingText:
    """A big document's text after form edits, not made yet: the text of ``before`` with ``splices`` applied.

    The first form edit of a document whose text was never made (above :data:`PREPARE_TEXT_LIMIT` it is made only
    when the raw view is shown: pretty-printing 84 MB takes a second) does not make it on the GUI thread: the text
    is the file's (:func:`initial_text` of the file's bytes, ``original``, parsed again where it is made: the
    document in the window has changed since) with each edit's splices, made on the thread pool. ``splices`` are
    (pointer, a private copy of the value there after the edit): later edits never change them, so undo and redo
    give the exact text, the same as splicing a text made before the edits (:func:`locate.splice`, in order).
    ``made`` keeps the text once made (as the undo stack keeps each edit's text)."""

    __slots__ = ("before", "format_minified", "made", "original", "size", "splices")

    def __init__(
        self,
        before: str | PendingText | None,
        splices: tuple[tuple[str, Any], ...],
        *,
        original: bytes | None = None,
        format_minified: bool = True,
        size: int = 0,
    ) -> None:
        self.before = before
        self.splices = splices
        self.original = original
        self.format_minified = format_minified
        self.size = size
        self.made: str | None = None

    def make(self) -> str:
        """The text (on any thread: it reads nothing of the window's document). Raises InspectorError when an
        edited value is not in the text."""
        chain: list[PendingText] = []
        node: str | PendingText | None = self
        while isinstance(node, PendingText) and node.made is None:
            chain.append(node)
            node = node.before
        if isinstance(node, PendingText):
            assert node.made is not None
            text = node.made
        elif isinstance(node, str):
            text = node
        else:  # the file's text, as the window would have shown it before the first edit
            first = chain[-1]
            assert first.original is not None
            text = initial_text(Document.from_bytes(first.original), format_minified=first.format_minified)
        for step in reversed(chain):
            for pointer, value in step.splices:
                new = splice(text, pointer, value)
                if new is None:
                    raise InspectorError("the edited value is not in the text", where=pointer)
                text = new
            step.made = text
        return text


_NO_COPY = object()


def _private_copy(value: Any) -> Any:
    """A copy of a document value that no later edit changes, or ``_NO_COPY`` (chunked, or above COPY_LIMIT)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    stack, nodes = [value], 0
    while stack:
        node = stack.pop()
        nodes += 1
        if nodes > COPY_LIMIT or is_chunked(node):
            return _NO_COPY
        if isinstance(node, dict):
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
    return copy.deepcopy(value)


class _EditCommand(QUndoCommand):
    """Undoable list of document edits plus the text before and after (form edits splice; raw edits give it)."""

    def __init__(self, doc: OpenDocument, edits: Sequence[Edit], text: str, new_text: str | None = None) -> None:
        super().__init__(text)
        self._doc = doc
        self._edits = list(edits)
        self._undo: list[Edit] = []
        # A text, or (a big document's text not made yet) how to make it: not made here, on the GUI thread.
        self._text_before: str | PendingText = doc.text if new_text is not None else doc._text_state()
        self._text_after: str | PendingText | None = new_text

    def redo(self) -> None:
        self._undo = [self._doc._apply_raw(e) for e in self._edits]
        if self._text_after is None:
            self._text_after = self._doc._text_after_edit(self._text_before, self._edits, self._undo)
        self._doc._set_text(self._text_after)
        self._doc._refresh_after_edit()

    def undo(self) -> None:
        for inverse in reversed(self._undo):
            self._doc._apply_raw(inverse)
        self._doc._set_text(self._text_before)
        self._doc._refresh_after_edit()


class _AttachmentsCommand(QUndoCommand):
    def __init__(self, doc: OpenDocument, parts: list[Part], text: str) -> None:
        super().__init__(text)
        self._doc = doc
        self._old = list(doc.submission.attachments)
        self._new = list(parts)

    def redo(self) -> None:
        self._doc.submission.attachments = list(self._new)
        self._doc._refresh(attachments=True)

    def undo(self) -> None:
        self._doc.submission.attachments = list(self._old)
        self._doc._refresh(attachments=True)


class OpenDocument(QObject):
    """A document open in a tab.

    Signals:
        changed: the payload changed (edit, undo, redo); reports and problems are already recomputed (for big
            documents problems arrive later, with ``problems_changed`` and a second ``changed``).
        syntax_error_changed: the raw text's parse state changed (``syntax_error`` is None or the error).
        text_changed: ``text`` changed through something other than the editor's own typing (a form edit, undo).
        text_ready: ``text`` of a big document was prepared on the thread pool (see :meth:`prepare_text`).
        problems_changed: ``problems`` and ``problem_locations`` were recomputed.
        attachments_changed: the Backtrace attachment parts changed.
        saved: the document was written to ``path``.
        read_only_changed(bool): ``read_only`` changed (the user chose Edit, or an edit started a copy).

    Opening a file never endangers it: a document read from disk, the clipboard or the receiver's inbox is
    ``read_only`` (the window shows an Edit bar). :meth:`allow_editing` either edits the file itself (then Save
    writes it: ``edit_in_place``) or a copy that has no path ("Untitled (from customer.json)"; Save asks where).
    An edit that reaches a read-only document through any path (forms, attachments) starts such a copy.
    """

    @property
    def format_minified(self) -> bool:
        """Preferences › Raw view: minified payloads shown pretty-printed for reading (on by default)."""
        return current_settings().format_raw_view

    changed = Signal()
    text_ready = Signal()
    syntax_error_changed = Signal()
    text_changed = Signal()
    problems_changed = Signal()
    attachments_changed = Signal()
    saved = Signal()
    read_only_changed = Signal(bool)

    def __init__(
        self, submission: Submission, path: Path | None = None, title: str | None = None, read_only: bool = False
    ) -> None:
        super().__init__()
        self.submission = submission
        self.path = path
        self.title = title or (path.name if path else "Untitled")
        #: Shown for reading only: no typing in the editor; an edit through another path starts a copy.
        self.read_only = read_only
        #: Save may write ``path`` itself (the user chose to edit that file, or saved there). Otherwise the first
        #: save of a document that came from a file goes through Save As.
        self.edit_in_place = False
        self.undo_stack = QUndoStack(self)
        self.syntax_error: InspectorError | None = None
        self.reports: list[Report] = []
        self.problems: list[Problem] = []
        self.problem_locations: dict[str, Location] = {}
        # The raw text of a big document (pretty-printing 100 MB: ~3 s) is made on first use or on the thread pool
        # (prepare_text), after the trees are on screen; small documents get it now.
        self._text: str | None = None
        #: After form edits of a big document whose text was not made: how to make it (see ``PendingText``).
        self._pending: PendingText | None = None
        self._text_lock = threading.Lock()  # held while a text is made (a second asker waits for it)
        self._state_lock = threading.Lock()  # held to change ``_text`` / ``_pending`` (short)
        self._text_timer: QTimer | None = None
        self._text_task: Task | None = None
        document = submission.document
        if document is None:
            self._text = ""
        elif document.original is None or len(document.original) <= BIG_DOCUMENT:
            self._text = initial_text(document, format_minified=self.format_minified)
        #: (report, exception stacks, thread stacks) built off the GUI thread by a loading worker, or None.
        self.prepared_stacks: tuple[Any, list[Any], list[Any]] | None = None
        #: The editor's latest text when it differs from ``text`` (possibly not valid JSON: what a draft keeps).
        self._draft_text: str | None = None
        self.draft_id = DraftStore.new_id()
        self.draft_dirty = False
        self.validating = False
        self._validation: Task | None = None
        self._first_validation_waits = False
        self._parse_task: Task | None = None
        self._applying_text = False
        self._refresh_timer: QTimer | None = None
        self._derive_task: Task | None = None
        self._validation_timer: QTimer | None = None
        self._validation_waits = False
        self._recompute()

    # ------------------------------------------------------------------ reading

    @property
    def document(self) -> Document | None:
        return self.submission.document

    @property
    def text(self) -> str:
        """The JSON text the editor shows (made now, on this thread, if :meth:`prepare_text` has not done it yet)."""
        text = self._text
        if text is None:
            with self._text_lock:
                text = self._text
                if text is None:
                    pending = self._pending
                    if pending is not None:
                        try:
                            text = pending.make()
                        except InspectorError:  # (not expected: each edited value is in the text of before)
                            assert self.document is not None
                            text = render_value(lazy_plain(self.document.value), pretty=True) + "\n"
                    else:
                        assert self.document is not None
                        text = initial_text(self.document, format_minified=self.format_minified)
                    with self._state_lock:  # an edit meanwhile has made this text stale: not kept
                        if self._text is None and self._pending is pending:
                            self._text = text
                            self._pending = None
        return text

    @text.setter
    def text(self, value: str) -> None:
        with self._state_lock:
            self._text = value
            self._pending = None

    @property
    def has_text(self) -> bool:
        """Whether ``text`` is ready (reading it then costs nothing)."""
        return self._text is not None

    @property
    def text_pending(self) -> bool:
        """Whether ``text`` is a form edit's, not made yet (:class:`PendingText`): views wait for ``text_ready``
        (:meth:`prepare_text`) rather than show the document some other way."""
        return self._text is None and self._pending is not None

    def prepare_text(self) -> bool:
        """Make ``text`` on the thread pool if it is not ready; ``text_ready`` follows. Returns ``has_text``."""
        if self._text is not None:
            return True
        if self._text_task is None:

            def make() -> str:
                return self.text

            def done(_text: str) -> None:
                self._text_task = None
                if self._text is None:  # an edit came while it was made: make the edited text
                    self.prepare_text()
                    return
                self.text_ready.emit()
                if not self.validating:
                    self._locate_problems()

            def failed(_exc: BaseException) -> None:
                self._text_task = None

            self._text_task = run_task(make, on_result=done, on_error=failed)
        return False

    def prepare_text_soon(self, delay_ms: int = 250) -> None:
        """:meth:`prepare_text` after ``delay_ms`` (after the tab's first paint), for documents the editor can take."""
        original = self.document.original if self.document is not None else None
        if self._text is None and original is not None and len(original) <= PREPARE_TEXT_LIMIT:
            QTimer.singleShot(delay_ms, self, self.prepare_text)

    @property
    def draft_text(self) -> str:
        """The editor's latest text, possibly not valid JSON (what a draft keeps)."""
        return self._draft_text if self._draft_text is not None else self.text

    @draft_text.setter
    def draft_text(self, value: str) -> None:
        self._draft_text = value

    @property
    def format(self) -> str:
        return self.submission.format

    @property
    def modified(self) -> bool:
        if not self.undo_stack.isClean():
            return True
        return self._draft_text is not None and self._draft_text != self.text

    @property
    def is_big(self) -> bool:
        if self._text is not None:
            return len(self._text) > BIG_DOCUMENT
        pending = self._pending
        if pending is not None:
            return pending.size > BIG_DOCUMENT
        original = self.document.original if self.document is not None else None
        return original is not None and len(original) > BIG_DOCUMENT

    @property
    def syntax_error_position(self) -> tuple[int, int] | None:
        return error_position(self.syntax_error)

    # ------------------------------------------------------------------ read-only / editing

    def allow_editing(self, in_place: bool) -> None:
        """The user chose Edit: the file itself (``in_place``: Save writes it) or a copy with no path."""
        if in_place:
            self.edit_in_place = self.path is not None
        else:
            self._detach()
        if self.read_only:
            self.read_only = False
            self.read_only_changed.emit(False)

    def _detach(self) -> None:
        """Become an unsaved copy: "Untitled (from customer.json)" with no path, so Save asks where."""
        origin = self.path.name if self.path is not None else self.title
        self.path = None
        self.edit_in_place = False
        self.title = f"Untitled (from {origin})"

    def _before_edit(self) -> None:
        """Every edit path calls this first: an edit that reaches a read-only document starts a copy."""
        if self.read_only:
            self.allow_editing(in_place=False)

    # ------------------------------------------------------------------ the one edit path

    def apply_edits(self, edits: Sequence[Edit], description: str) -> None:
        """Apply form edits as one undoable step. Raises InspectorError for an invalid pointer (nothing changes)."""
        if self.document is None:
            raise InspectorError("this document is not JSON and cannot be edited as such")
        if not edits:
            return
        for edit in edits:  # check every pointer's parent exists before touching anything
            self.document.resolve(parent(edit.pointer))
        self._before_edit()
        self.undo_stack.push(_EditCommand(self, edits, description))

    def replace_text(self, text: str) -> bool:
        """The raw editor's text changed. Returns False (and keeps the last good document) on a syntax error."""
        if self.document is None:
            raise InspectorError("this document is not JSON and cannot be edited as such")
        self._note_draft(text)
        try:
            value = Document.from_bytes(text.encode("utf-8")).value
        except InspectorError as exc:
            self._set_syntax_error(exc)
            return False
        self._commit_text(text, value)
        return True

    def replace_text_async(self, text: str) -> None:
        """Like :meth:`replace_text`, parsing on the thread pool (big documents); the newest text wins."""
        if self.document is None:
            raise InspectorError("this document is not JSON and cannot be edited as such")
        self._note_draft(text)
        if self._parse_task is not None:
            self._parse_task.cancel()

        def parse(data: bytes) -> Any:
            return Document.from_bytes(data).value

        def done(value: Any, text: str = text) -> None:
            if text == self.draft_text:
                self._commit_text(text, value)

        def failed(exc: BaseException, text: str = text) -> None:
            if text == self.draft_text and isinstance(exc, InspectorError):
                self._set_syntax_error(exc)

        self._parse_task = run_task(parse, text.encode("utf-8"), on_result=done, on_error=failed)

    def set_attachments(self, parts: list[Part], description: str) -> None:
        """Replace the multipart attachment parts (Backtrace) as one undoable step."""
        self._before_edit()
        self.undo_stack.push(_AttachmentsCommand(self, parts, description))

    # ------------------------------------------------------------------ saving

    def save_data(self) -> tuple[bytes, str]:
        """The bytes a save writes and their natural extension (``.json`` / ``.multipart`` / ``.request.http``)."""
        doc = self.document
        # An unedited document saves its original bytes (its text is the original's, or its pretty form).
        text = None if doc is None or doc.original is not None else self.text
        return bundle.save_bytes(self.submission, text)

    def save(self, path: str | Path | None = None) -> Path:
        """Write atomically to ``path`` (or the current path) and mark the document clean."""
        target = Path(path) if path is not None else self.path if self.edit_in_place else None
        if target is None:  # never the file a document was opened from, unless the user chose to edit that file
            raise InspectorError("choose a file name first (Save As)")
        data, _ext = self.save_data()
        try:
            atomic.write_bytes(target, data)
        except OSError as exc:
            raise InspectorError(f"cannot write {target}: {exc.strerror or exc}") from None
        self.path = target
        self.title = target.name
        self.edit_in_place = True  # the user chose this file to save to
        self.undo_stack.setClean()
        self.saved.emit()
        return target

    # ------------------------------------------------------------------ internals

    def _note_draft(self, text: str) -> None:
        if text != self.draft_text:
            self.draft_text = text
            self.draft_dirty = True

    def _set_syntax_error(self, exc: InspectorError) -> None:
        self.syntax_error = exc
        self.syntax_error_changed.emit()

    def _commit_text(self, text: str, value: Any) -> None:
        assert self.document is not None
        had_error = self.syntax_error is not None
        self.syntax_error = None
        if had_error:
            self.syntax_error_changed.emit()
        if text == self.text:
            return
        self._before_edit()
        self._applying_text = True
        try:
            self.undo_stack.push(_EditCommand(self, [Edit("set", "", value)], "Edit raw JSON", new_text=text))
        finally:
            self._applying_text = False

    def _apply_raw(self, edit: Edit) -> Edit:
        assert self.document is not None
        return self.document.apply(edit)

    def _text_state(self) -> str | PendingText:
        """The text, or how to make it (not made here)."""
        text, pending = self._text, self._pending
        if text is not None:
            return text
        if pending is not None:
            return pending
        original = self.document.original if self.document is not None else None
        if original is None:
            return self.text
        return PendingText(None, (), original=original, format_minified=self.format_minified, size=len(original))

    def _text_after_edit(self, before: str | PendingText, edits: list[Edit], inverses: list[Edit]) -> str | PendingText:
        """The text after form edits: spliced now, or spliced on the thread pool (a text not made yet, or one too big
        for the editor: finding a value in 154 MB of text and copying it took 80 ms to 1.6 s on the GUI thread)."""
        assert self.document is not None
        if isinstance(before, PendingText) and before.made is not None:
            before = before.made
        if isinstance(before, str) and len(before) <= PREPARE_TEXT_LIMIT:  # (the editor's texts: 20 MB, ~15 ms)
            return self._spliced_text(before, edits, inverses)
        splices = []
        for anchor in _anchors(edits, inverses):
            value = _private_copy(self.document.resolve(anchor)) if anchor else _NO_COPY
            if value is _NO_COPY:  # the whole document, or a big part of it: the text is made now (as before)
                return self._spliced_text(before if isinstance(before, str) else self.text, edits, inverses)
            splices.append((anchor, value))
        size = len(before) if isinstance(before, str) else before.size
        return PendingText(before, tuple(splices), size=size)

    def _set_text(self, text: str | PendingText) -> None:
        if isinstance(text, PendingText) and text.made is not None:
            text = text.made
        if isinstance(text, PendingText):
            with self._state_lock:
                changed = text is not self._pending
                self._text = None
                self._pending = text
            self._draft_text = None
            self.draft_dirty = True
            if changed and not self._applying_text:
                self.text_changed.emit()
            self._prepare_text_later()
            return
        changed = self._text is None or text != self._text
        self.text = text
        if self.draft_text != text:
            self.draft_text = text
            self.draft_dirty = True
        if changed and not self._applying_text:
            self.text_changed.emit()

    def _prepare_text_later(self) -> None:
        """Make a pending text on the thread pool a moment after the last edit (edits in a row: once)."""
        self._text_timer = self._restarted(self._text_timer, TEXT_AFTER_EDIT_MS, self.prepare_text)

    def _restarted(self, timer: QTimer | None, interval_ms: int, slot: Callable[[], object]) -> QTimer:
        """A single-shot timer of this document started (again): made on first use, on the thread this object
        lives in by then (a document is built on the loading worker and moved to the GUI thread)."""
        if timer is None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(interval_ms)
            timer.timeout.connect(slot)
        timer.start()
        return timer

    def _spliced_text(self, before: str, edits: list[Edit], inverses: list[Edit]) -> str:
        """The text after form edits: each touched value (or its container) re-rendered in place."""
        assert self.document is not None
        text = before
        for anchor in _anchors(edits, inverses):
            if anchor == "":
                return self._full_text()
            new = splice(text, anchor, self.document.resolve(anchor))
            if new is None:
                return self._full_text()
            text = new
        return text

    def _full_text(self) -> str:
        assert self.document is not None
        pretty = "\n" in self.text.strip() or not self.text
        return render_value(self.document.value, pretty=pretty) + ("\n" if pretty else "")

    def rederive(self) -> None:
        """Derive the reports again: a setting that shapes them changed (the source-map folders)."""
        self._refresh()

    def _refresh_after_edit(self) -> None:
        """An edit's re-derivation: at once for a small document; for a big one in a later event-loop turn (edits
        in a row re-derive once), so the edit's own work (splicing 20 MB of text: ~25 ms) and the reports' (~10 ms)
        never hold the window together. Its problems are stale from now on: ``validating`` says so at once."""
        if not self.is_big:
            self._refresh()
            return
        self.validating = True
        if self._validation is not None:  # its answer is stale now: let it stop taking the GIL from the window
            self._validation.cancel()
        # Not 0 ms: a zero timer runs before timers already due (the window's own) in the same event-loop pass; and
        # later than the editor that an edit of a read-only document puts in the raw view (1 ms): timers due at the
        # start of a pass all run in it, one after the other, and each step should have its own pass.
        self._refresh_timer = self._restarted(self._refresh_timer, REFRESH_AFTER_EDIT_MS, self._refresh_edited)

    def _refresh_edited(self) -> None:
        """A big document's edit, re-derived on the thread pool (10 000 Backtrace threads: 45-100 ms of Python); its
        validation starts after the views have refreshed (a Python worker takes the GIL every millisecond: the views'
        20-30 ms of work took twice as long beside it). Reports derived from a tree an edit has changed since are
        dropped: that edit's own re-derivation follows."""
        if self._derive_task is not None:
            self._derive_task.cancel()
        revision = self.document.revision if self.document is not None else 0

        def derive() -> tuple[list[Report], tuple[Any, list[Any], list[Any]] | None]:
            with keeping_objects():  # a big document's reports: many objects, kept until the next edit
                reports = self._reports_of()
                return reports, _stacks_of(reports[0]) if reports else None

        def done(result: tuple[list[Report], tuple[Any, list[Any], list[Any]] | None]) -> None:
            self._derive_task = None
            if (self.document.revision if self.document is not None else 0) != revision:
                return
            self.reports, self.prepared_stacks = result
            self._validation_waits = True
            try:
                self._schedule_validation()
            finally:
                self._validation_waits = False
            self.changed.emit()

        def failed(_exc: BaseException) -> None:
            self._derive_task = None
            if (self.document.revision if self.document is not None else 0) == revision:
                self._refresh_timer_restart()

        self._derive_task = run_task(derive, on_result=done, on_error=failed)

    def _refresh_timer_restart(self) -> None:
        """The re-derivation raced an edit (a container changed under it): again, later."""
        if self._refresh_timer is not None:
            self._refresh_timer.start()

    def _refresh(self, attachments: bool = False) -> None:
        self._recompute()
        if attachments:
            self.attachments_changed.emit()
        self.changed.emit()

    def _recompute(self) -> None:
        """Re-derive reports (cheap: lazy views) and problems (on the pool for big documents)."""
        if self.is_big:
            with keeping_objects():  # a big document's reports: many objects, kept until the next edit
                self._derive_reports()
        else:
            self._derive_reports()
        self._schedule_validation()

    def _schedule_validation(self) -> None:
        if self.is_big and self._validation is None and not self._first_validation_waits:
            # The first validation starts after the tab's first paint: its pure-Python rules share the GIL with the
            # GUI thread, and every model data() call of that paint would wait for them (bench_open's window row).
            self._first_validation_waits = True
            self.validating = True
            # Armed from this object's thread's event loop: a document built on the loading worker (no event loop)
            # would arm its timer there, where it never fires; the queued call moves with the document to the GUI
            # thread (moveToThread takes posted events along) and arms it there.
            QMetaObject.invokeMethod(self, "_arm_first_validation", Qt.ConnectionType.QueuedConnection)
        elif self.is_big and self._validation_waits:
            self._validation_timer = self._restarted(
                self._validation_timer, VALIDATION_AFTER_EDIT_MS, self._validate_async
            )
        elif self.is_big:
            self._validate_async()
        else:
            self._set_problems(*_validate_job(self.submission, self.text))

    def _derive_reports(self) -> None:
        self.reports = self._reports_of()

    def _reports_of(self) -> list[Report]:
        """The reports of the document as it is (on any thread: it only reads)."""
        module = get_format(self.submission.format)
        try:
            reports = list(module.reports(self.submission))
        except InspectorError:
            reports = []
        from inspector.ui.panels.sourcemaps.sourcemaps import (
            source_mapped,  # minified JavaScript frames at their original places
        )

        return source_mapped(reports)

    @Slot()
    def _arm_first_validation(self) -> None:
        QTimer.singleShot(FIRST_VALIDATION_DELAY_MS, self, self._validate_first)

    def _validate_first(self) -> None:
        if self._validation is None:  # an edit meanwhile has started its own
            self._validate_async()

    def _validate_async(self) -> None:
        if self._validation is not None:
            self._validation.cancel()
        self.validating = True
        revision = self.document.revision if self.document is not None else 0
        text = self._text  # None: the job makes it (see ``text``), off the GUI thread
        had_text = text is not None

        def done(result: tuple[list[Problem], dict[str, Location]]) -> None:
            current = self.document.revision if self.document is not None else 0
            if current == revision and (not had_text or text == self._text):
                self.validating = False
                self._set_problems(*result)
                if not had_text and self._text is not None:  # the text arrived meanwhile: place the problems
                    self._locate_problems()
                self.changed.emit()

        def failed(exc: BaseException) -> None:
            current = self.document.revision if self.document is not None else 0
            if current != revision:  # an edit changed the tree under the worker; it started its own validation
                return
            # The rules themselves failed on this document: say so once (retrying would fail again, forever).
            log.warning("validation failed: %s", getattr(exc, "__traceback_text__", exc))
            self.validating = False
            self._set_problems([warning("", f"this payload could not be checked: {type(exc).__name__}: {exc}", "")], {})
            self.changed.emit()

        # Without the text (a big document not shown raw yet), problems are placed in it when it arrives.
        self._validation = run_task(
            _validate_big_job,
            self.submission,
            text,
            pass_token=True,
            on_result=done,
            on_error=failed,
        )

    def _locate_problems(self) -> None:
        """Place the problems in the text (on the pool): the editor marks them. Run when the text arrives."""
        text = self._text
        if text is None or not self.problems or self.document is None:
            return
        problems = self.problems

        def done(locations: dict[str, Location]) -> None:
            if self.problems is problems and self._text == text:
                self._set_problems(problems, locations)

        run_task(locate_nearest, text, {p.pointer for p in problems}, on_result=done)

    def _set_problems(self, problems: list[Problem], locations: dict[str, Location]) -> None:
        self.problems = problems
        self.problem_locations = locations
        self.problems_changed.emit()


def _validate_big_job(
    submission: Submission, text: str | None, cancel: CancelToken
) -> tuple[list[Problem], dict[str, Location]]:
    """Validate a big document here, on the worker thread, over the tree the window already holds.

    (It was validated in a child process, which parsed a second full copy: ~5x the file more memory for a few
    seconds, the peak of the whole app. Measured on 108 MB, the window's paints during this validation took as
    long as when idle: median 2.8 ms vs 2.9 ms; see bench/README.md, "Memory".) An edit cancels it (the rules call
    ``check_cancelled``); one made meanwhile fails it or makes its result stale, and ``_validate_async`` runs again.
    """
    try:  # (the chunks it decodes, held by the document's cache, are not walked by full collections either)
        with cancellable(lambda: cancel.cancelled), keeping_objects():
            return _validate_job(submission, text)
    except Cancelled:
        raise TaskCancelled() from None


def _validate_job(submission: Submission, text: str | None) -> tuple[list[Problem], dict[str, Location]]:
    """Problems and where they are in ``text`` (none placed without a text)."""
    return _placed(submission, validate(submission), text)


def _placed(
    submission: Submission, problems: list[Problem], text: str | None
) -> tuple[list[Problem], dict[str, Location]]:
    if submission.document is None or not problems or text is None:
        return problems, {}
    return problems, locate_nearest(text, {p.pointer for p in problems})


def _stacks_of(report: Report) -> tuple[Report, list[Any], list[Any]]:
    """The first report's stacks, as the views show them (10 000 threads: ~30 ms), made with the reports."""
    from inspector.ui.document.models.frame_text import exception_stacks, thread_stacks

    stacks = (report, exception_stacks(report), thread_stacks(report))
    report.frame_count  # noqa: B018 (counted here: the tab's titles and summary ask for it)
    return stacks


def _anchors(edits: list[Edit], inverses: list[Edit]) -> list[str]:
    """The values form edits re-render: each set value, or the container of a key inserted or removed."""
    anchors: list[str] = []
    for edit, inverse in zip(edits, inverses, strict=True):
        anchor = edit.pointer if edit.op == "set" and inverse.op == "set" else parent(edit.pointer)
        anchors = [a for a in anchors if not a.startswith(anchor + "/") and a != anchor]
        if not any(anchor.startswith(a + "/") for a in anchors):
            anchors.append(anchor)
    return anchors


def pretty_text(value: Any) -> str:
    return dumps(value, pretty=True).decode("utf-8")
