"""Drafts of open documents: autosaved on a worker every :data:`~inspector.compose.drafts.AUTOSAVE_MS` while they are
modified (a big one written in pieces), and a draft opened again as a document after a crash."""

from __future__ import annotations

import json
import os
import threading
import time
import weakref
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QTimer

from inspector import atomic
from inspector.compose import bundle
from inspector.compose.drafts import AUTOSAVE_MS, Draft, DraftStore
from inspector.formats.base import InspectorError, Part, Submission
from inspector.services.document_text import PIECE
from inspector.ui.document.open_document import OpenDocument
from inspector.ui.workers import Task, run_task


class DraftKeeper(QObject):
    """Autosaves the drafts of watched documents every :data:`AUTOSAVE_MS` while they are modified.

    The timer's autosave encodes and writes (fsync) on the thread pool: ~0.3 s for a 20 MB draft that would
    otherwise freeze the window once a second while typing. One write per document is in flight at a time; a
    document changed meanwhile is written on the next tick, so at most about two intervals of work are lost.
    :meth:`save_now` writes on the calling thread (restoring, tests). A document saved or closed cleanly has its
    draft removed (call :meth:`forget`); a write still in flight then is removed when it lands.
    """

    def __init__(
        self, store: DraftStore | None = None, interval_ms: int = AUTOSAVE_MS, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.store = store or DraftStore()
        self._docs: list[OpenDocument] = []
        self._writing: dict[str, Task] = {}
        self._lock = threading.Lock()
        self._sequence = 0
        self._removed_at: dict[str, int] = {}  # draft id -> sequence number of its last removal
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.autosave)
        self._timer.start()

    def watch(self, doc: OpenDocument) -> None:
        if doc in self._docs:
            return
        self._docs.append(doc)
        # The slots hold the document weakly: a C++ connection holding it would keep it alive after its tab closed
        # (the connection is the document's own, so document -> slot -> document is a cycle gc cannot see).
        ref = weakref.ref(doc)
        doc.changed.connect(lambda: _mark_dirty(ref))
        doc.saved.connect(lambda: self._remove_saved(ref))

    def _remove_saved(self, ref: weakref.ref[OpenDocument]) -> None:
        doc = ref()
        if doc is not None:
            self._remove(doc.draft_id)

    def forget(self, doc: OpenDocument) -> None:
        """The document was closed on purpose: drop its draft."""
        if doc in self._docs:
            self._docs.remove(doc)
        self._remove(doc.draft_id)

    def save_now(self) -> None:
        """Write every modified document's draft now, on this thread."""
        for doc, draft in self._due(wait=True):
            try:
                self.store.save(draft)
            except OSError:
                doc.draft_dirty = True  # try again on the next tick

    def autosave(self) -> None:
        """The timer: write the modified documents' drafts on the thread pool."""
        for doc, draft in self._due(wait=False):
            with self._lock:
                self._sequence += 1
                sequence = self._sequence
            task = run_task(
                self._write,
                draft,
                sequence,
                on_result=partial(self._written, draft.id),
                on_error=partial(self._write_failed, doc),
            )
            self._writing[draft.id] = task

    def wait(self, timeout_s: float = 30.0) -> bool:
        """Wait for the writes in flight (tests, shutdown)."""
        return all(task.done.wait(timeout_s) for task in list(self._writing.values()))

    def _due(self, wait: bool) -> list[tuple[OpenDocument, Draft]]:
        out = []
        for doc in list(self._docs):
            if not doc.draft_dirty:
                continue
            writing = self._writing.get(doc.draft_id)
            if writing is not None and not writing.done.is_set():
                if not wait:
                    continue  # still writing the previous one: this one goes on the next tick
                writing.done.wait()
            if not wait and not doc.has_text:
                continue  # a big document's text is made on the thread pool after its edit: the next tick
            doc.draft_dirty = False
            if not doc.modified:
                self._remove(doc.draft_id)
                continue
            out.append((doc, self._draft(doc)))
        return out

    @staticmethod
    def _draft(doc: OpenDocument) -> Draft:
        return Draft(
            id=doc.draft_id,
            text=doc.draft_text,
            base_text=doc.text,
            format=doc.format,
            title=doc.title,
            path=str(doc.path) if doc.path else None,
            attachments=list(doc.submission.attachments),
            fields=bundle.form_fields(doc.submission),
        )

    def _write(self, draft: Draft, sequence: int) -> None:  # worker thread
        if len(draft.text) + len(draft.base_text or "") <= 2 * PIECE:
            self.store.save(draft)
        else:
            _save_in_pieces(self.store, draft)
        with self._lock:
            if self._removed_at.get(draft.id, -1) > sequence:  # removed (saved, closed) while this was writing
                self.store.remove(draft.id)

    def _written(self, draft_id: str, _result: object) -> None:
        self._writing.pop(draft_id, None)

    def _write_failed(self, doc: OpenDocument, _exc: BaseException | None = None) -> None:
        self._writing.pop(doc.draft_id, None)
        doc.draft_dirty = True  # try again on the next tick

    def _remove(self, draft_id: str) -> None:
        with self._lock:
            self._sequence += 1
            self._removed_at[draft_id] = self._sequence
            self.store.remove(draft_id)


def _mark_dirty(ref: weakref.ref[OpenDocument]) -> None:
    doc = ref()
    if doc is not None:
        doc.draft_dirty = True


def _save_in_pieces(store: DraftStore, draft: Draft) -> None:
    """``store.save(draft)`` with the two big strings JSON-encoded and written a piece at a time: ``json.dumps`` of a
    20 MB text is one call holding the GIL for ~0.15 s, and so is joining the pieces of two 154 MB texts into one
    ``bytes`` (0.16-0.25 s, measured): a freeze of the window even from a worker thread. The bytes are those of
    :meth:`Draft.to_json` (which writes everything else around placeholders)."""
    marks = {"text": f"\x00text-{draft.id}", "base_text": f"\x00base-{draft.id}"}
    draft.pid = os.getpid()
    draft.saved_at = time.time()
    shell = Draft(**{f: getattr(draft, f) for f in Draft.__slots__})  # type: ignore[attr-defined]
    shell.text = marks["text"]
    shell.base_text = marks["base_text"] if draft.base_text is not None else None
    parts: list[tuple[bytes, bool]] = [(shell.to_json(), True)]  # (bytes, whether a placeholder may be in them)
    for name, mark in marks.items():
        value = getattr(draft, name)
        if value is None:
            continue
        placeholder = json.dumps(mark, ensure_ascii=False).encode("utf-8")
        at = next((i for i, (part, outer) in enumerate(parts) if outer and placeholder in part), None)
        if at is None:  # the format changed under us: the plain way
            store.save(draft)
            return
        pieces = [(b'"', False)]
        for start in range(0, len(value), PIECE):
            pieces.append((json.dumps(value[start : start + PIECE], ensure_ascii=False)[1:-1].encode("utf-8"), False))
        pieces.append((b'"', False))
        before, _found, after = parts[at][0].partition(placeholder)
        parts[at : at + 1] = [(before, True), *pieces, (after, True)]
    store.folder.mkdir(parents=True, exist_ok=True)
    with atomic.replacing(store.folder / f"{draft.id}.json", mode=0o600) as handle:  # a draft holds a payload
        for part, _outer in parts:
            handle.write(part)


def open_draft(draft: Draft) -> OpenDocument:
    """Rebuild a document from a draft: the last valid text loads; a broken newer text comes back as the editor's."""
    from inspector.formats import load_bytes

    def load(text: str) -> Submission:
        main = Part(
            name="upload_file", data=text.encode("utf-8"), filename="upload_file", content_type="application/json"
        )
        data = (
            bundle.multipart_request(main, draft.attachments, draft.fields)
            if draft.attachments or draft.fields
            else text.encode("utf-8")
        )
        return load_bytes(data, source_name=draft.title, format=draft.format)

    try:
        submission = load(draft.text)
        broken = False
    except InspectorError:
        submission = load(draft.base_text or draft.text)
        broken = True
    doc = OpenDocument(submission, Path(draft.path) if draft.path else None, draft.title)
    doc.draft_id = draft.id
    if broken:
        doc.replace_text(draft.text)
    doc.undo_stack.resetClean()  # restored work is unsaved work
    return doc
