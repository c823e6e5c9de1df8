"""The compose panel's controller (one per window, its child object): new payloads from templates, duplicates with
fresh ids, Save / Save As, the Save / Discard / Cancel questions on closing and quitting, drafts kept and offered
for restoring, and the forms and attachments editors built on first use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoGroup

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from inspector.compose.drafts import Draft, DraftStore
    from inspector.ui.document.attachments_editor import AttachmentsEditor
    from inspector.ui.document.drafts import DraftKeeper
    from inspector.ui.document.forms import FormsWidget
    from inspector.ui.document.open_document import OpenDocument
    from inspector.ui.window.main_window import MainWindow


#: Up to this many duplicates open as tabs; more are written to a folder.
DUPLICATES_AS_TABS = 10


class Composer(QObject):
    """The controller behind the menus and docks (one per window, its child: :func:`composer_of`)."""

    def __init__(self, window: MainWindow, store: DraftStore | None = None) -> None:
        super().__init__(window)
        self.window = window
        self._store = store
        self._keeper: DraftKeeper | None = None
        self._forms: FormsWidget | None = None
        self._attachments: AttachmentsEditor | None = None
        self.undo_group = QUndoGroup(self)

    # ------------------------------------------------------------------ built on first use

    @property
    def store(self) -> DraftStore:
        """The drafts folder (the keeper's store once the keeper exists)."""
        if self._keeper is not None:
            return self._keeper.store
        if self._store is None:
            from inspector.compose.drafts import DraftStore

            self._store = DraftStore()
        return self._store

    @property
    def keeper(self) -> DraftKeeper:
        """The autosave of drafts, started when the first document is tracked."""
        if self._keeper is None:
            from inspector.ui.document.drafts import DraftKeeper

            self._keeper = DraftKeeper(self._store, parent=self)
        return self._keeper

    @property
    def forms(self) -> FormsWidget:
        """The "forms" dock's editor, built on first use (and put into its dock)."""
        if self._forms is None:
            from inspector.ui.document.forms import FormsWidget

            self._forms = FormsWidget()
            self._forms.setObjectName("formsPanel")
            doc = self.window.current_document()
            if doc is not None:
                self._forms.set_document(doc)
            self.window.panel_widget("forms")
        return self._forms

    @property
    def attachments(self) -> AttachmentsEditor:
        """The "attachments" dock's editor, built on first use (and put into its dock)."""
        if self._attachments is None:
            from inspector.ui.document.attachments_editor import AttachmentsEditor

            self._attachments = AttachmentsEditor()
            self._attachments.message.connect(lambda text: self.window.status_message(text))
            doc = self.window.current_document()
            if doc is not None:
                self._attachments.set_document(doc)
            self.window.panel_widget("attachments")
        return self._attachments

    # ------------------------------------------------------------------ documents

    def track(self, doc: OpenDocument) -> None:
        self.keeper.watch(doc)
        self.undo_group.addStack(doc.undo_stack)

    def current_changed(self, doc: OpenDocument | None) -> None:
        if doc is not None:
            self.track(doc)
        self.undo_group.setActiveStack(doc.undo_stack if doc is not None else None)  # type: ignore[arg-type]  # None: no active stack (Qt takes nullptr; the stub does not say so)
        if self._forms is not None:
            self._forms.set_document(doc)
        if self._attachments is not None:
            self._attachments.set_document(doc)

    def new_from_template(self, template_id: str) -> OpenDocument | None:
        from PySide6.QtWidgets import QMessageBox

        from inspector.compose import templates
        from inspector.formats.base import InspectorError

        template = templates.get_template(template_id)
        try:
            submission = templates.instantiate(template_id)
        except InspectorError as exc:
            QMessageBox.warning(self.window, "Cannot create the payload", str(exc))
            return None
        doc = self.window.open_submission(submission, f"New {template.title}")
        doc.undo_stack.resetClean()  # a new payload is unsaved work
        self.track(doc)
        self.window.show_view("raw")  # a new payload is made to be edited: the raw editor, the forms beside it
        self.window.show_panel("forms")
        return doc

    def duplicate(self, count: int | None = None, folder: str | None = None) -> list[Any]:
        """N copies of the current payload with fresh ids: tabs for a few, files in a folder for many."""
        from PySide6.QtWidgets import QFileDialog, QInputDialog

        from inspector import atomic
        from inspector.compose import templates
        from inspector.formats import load_bytes

        doc = self.window.current_document()
        if doc is None or doc.document is None:
            self.window.status_message("Duplicate needs a JSON payload open")
            return []
        if count is None:
            count, ok = QInputDialog.getInt(self.window, "Duplicate with fresh ids", "Number of copies:", 1, 1, 10_000)
            if not ok:
                return []
        copies = templates.duplicate(doc.submission, doc.text, count)
        if count <= DUPLICATES_AS_TABS and folder is None:
            out = []
            for n, data in enumerate(copies, start=1):
                sub = load_bytes(data, source_name=doc.title, format=doc.format)
                new = self.window.open_submission(sub, f"{doc.title} copy {n}")
                new.undo_stack.resetClean()
                out.append(new)
            return out
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self.window, f"Write {count} copies into")
            if not folder:
                return []
        _data, ext = doc.save_data()
        stem = Path(doc.title).name.split(".")[0] or "payload"
        paths = []
        for n, data in enumerate(copies, start=1):
            path = Path(folder) / f"{stem}-{n:04d}{ext}"
            atomic.write_bytes(path, data)
            paths.append(path)
        self.window.status_message(f"Wrote {count} copies to {folder}")
        return paths

    # ------------------------------------------------------------------ saving

    def save(self, doc: OpenDocument | None = None) -> bool:
        doc = doc or self.window.current_document()
        if doc is None:
            return False
        self._flush_editor()
        _data, ext = doc.save_data()
        if doc.path is None or not doc.edit_in_place or not str(doc.path).endswith(ext):
            return self.save_as(doc)  # an opened file is written only once the user chose to edit that file
        return self._write(doc, doc.path)

    def save_as(self, doc: OpenDocument | None = None, path: str | None = None) -> bool:
        doc = doc or self.window.current_document()
        if doc is None:
            return False
        self._flush_editor()
        _data, ext = doc.save_data()
        if path is None:
            stem = Path(doc.title).name.split(".")[0] if doc.path else doc.title.replace(" ", "-").replace(":", "")
            kinds = {
                ".json": "JSON (*.json)",
                ".multipart": "Multipart bundle (*.multipart)",
                ".request.http": "HTTP request (*.request.http *.http)",
            }
            from PySide6.QtWidgets import QFileDialog

            path, _filter = QFileDialog.getSaveFileName(self.window, "Save As", stem + ext, kinds[ext])
            if not path:
                return False
        if not path.endswith(ext) and not (ext == ".request.http" and path.endswith(".http")):
            path += ext
        return self._write(doc, Path(path))

    def _write(self, doc: OpenDocument, path: Path) -> bool:
        from PySide6.QtWidgets import QMessageBox

        from inspector.formats.base import InspectorError

        try:
            doc.save(path)
        except InspectorError as exc:
            QMessageBox.warning(self.window, "Cannot save", str(exc))
            return False
        self.keeper.store.remove(doc.draft_id)
        self.window.status_message(f"Saved {path}")
        view = self.window.current_view()
        if view is not None and view.document is doc:
            index = self.window.tabs.indexOf(view)
            self.window.tabs.setTabText(index, doc.title)
        return True

    def _flush_editor(self) -> None:
        view = self.window.current_view()
        editor = getattr(view, "raw_view", None)
        if editor is not None and hasattr(editor, "flush"):
            editor.flush()

    # ------------------------------------------------------------------ closing and drafts

    def confirm_close(self, doc: OpenDocument) -> bool:
        """Ask about unsaved changes. True when the document may close."""
        if not doc.modified:
            self.keeper.forget(doc)
            return True
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self.window,
            "Unsaved changes",
            f"Save the changes to {doc.title}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,  # Enter must not discard work, nor overwrite a file
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return False
        if answer == QMessageBox.StandardButton.Save and not self.save(doc):
            return False
        self.keeper.forget(doc)
        return True

    def confirm_all(self) -> bool:
        """Ask about every unsaved document (quitting). True when the window may close."""
        return all(self.confirm_close(view.document) for view in self.window.document_views())

    def offer_restore(self) -> None:
        """Non-blocking: a question box about drafts a crashed or killed session left behind."""
        if self._store is None and self._keeper is None and not any_drafts(drafts_folder()):
            return  # the usual start: no drafts at all, and the compose modules (15 ms) are not imported
        drafts = self.store.orphans()
        if not drafts:
            return
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Restore unsaved work?",
            f"{len(drafts)} unsaved document(s) from a session that ended unexpectedly were found:\n"
            + "\n".join(f"• {d.title}" for d in drafts[:10]),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Discard,
            self.window,
        )
        box.setObjectName("restoreDraftsBox")
        box.button(QMessageBox.StandardButton.Yes).setText("Restore")
        box.finished.connect(
            lambda result: self.restore(drafts) if result == QMessageBox.StandardButton.Yes else self.discard(drafts)
        )
        self.restore_box = box
        box.open()

    def restore(self, drafts: list[Draft] | None = None) -> list[OpenDocument]:
        from inspector.formats.base import InspectorError
        from inspector.ui.document.drafts import open_draft

        drafts = self.keeper.store.orphans() if drafts is None else drafts
        opened = []
        for draft in drafts:
            try:
                doc = open_draft(draft)
            except InspectorError as exc:
                self.window.status_message(f"Cannot restore {draft.title}: {exc}")
                continue
            self.window.open_document(doc)
            self.track(doc)
            doc.draft_dirty = True
            opened.append(doc)
        self.keeper.save_now()  # the drafts now belong to this process
        return opened

    def discard(self, drafts: list[Draft]) -> None:
        for draft in drafts:
            self.store.remove(draft.id)


def drafts_folder() -> Path:
    """:func:`inspector.compose.drafts.drafts_dir` (a test keeps both equal), without importing the compose modules."""
    from inspector import settings

    return settings.drafts_dir()


def any_drafts(folder: Path) -> bool:
    """Whether the folder holds any draft file (``DraftStore.all`` reads ``*.json``), orphan or not."""
    return folder.is_dir() and any(folder.glob("*.json"))


def composer_of(window: QWidget) -> Composer:
    """The window's composer (its child object; the compose panel is installed in every window)."""
    composer = window.findChild(Composer)
    if composer is None:
        raise LookupError("the compose panel is not installed in this window")
    return composer
