"""The forms dock: the fields of :mod:`inspector.compose.fields` as widgets, plus lists of frames/threads/binaries.

Widgets are refreshed from the document on every ``changed`` (form or raw edit, undo, redo); a widget with
keyboard focus is left alone so typing is never overwritten. Edits are committed when the user finishes a field
(Enter or leaving it), each as one undo step.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTimeZone
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.compose import fields as F
from inspector.compose.ids import iso_now, parse_iso
from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import Edit
from inspector.report import epoch_seconds
from inspector.ui.document.forms.models import JsonListModel, KeyValueModel
from inspector.ui.document.open_document import OpenDocument

_ABSENT = object()
#: What an empty text field says: the key is missing, it holds an empty string, or JSON null.
ABSENT_TEXT, EMPTY_TEXT, NULL_TEXT = "(absent)", '"" (empty string)', "null"


def _placeholder(value: Any) -> str:
    """What an empty field says about the value behind it (shown only while the field is empty)."""
    return ABSENT_TEXT if value is _ABSENT else NULL_TEXT if value is None else EMPTY_TEXT


#: Times beyond this (seconds, about year 292 million) do not fit QDateTime's milliseconds: the editor stays empty.
_MAX_EDITOR_SECONDS = 9.2e15


class _FieldRow(QWidget):
    """One field: an editor widget that commits through ``FormsWidget.commit``."""

    def __init__(self, form: FormsWidget, spec: F.FieldSpec) -> None:
        super().__init__()
        self.form, self.spec = form, spec
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor: QWidget
        if spec.kind == "enum":
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItems(list(spec.choices))
            combo.activated.connect(lambda _i: self.commit())
            line = combo.lineEdit()  # an editable combo box has one
            assert line is not None
            line.editingFinished.connect(self.commit)
            self.editor = combo
        elif spec.kind == "bool":
            box = QCheckBox()
            box.clicked.connect(lambda _c: self.commit())
            self.editor = box
        elif spec.kind in ("epoch_s", "iso"):
            picker = QDateTimeEdit()
            picker.setCalendarPopup(True)
            picker.setTimeZone(QTimeZone.utc())
            picker.setDisplayFormat("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")
            picker.editingFinished.connect(self.commit)
            now = QPushButton("Now")
            now.setObjectName(f"now:{spec.key}")
            now.clicked.connect(self.set_now)
            self.editor = picker
            layout.addWidget(picker, 1)
            layout.addWidget(now)
        else:
            line = QLineEdit()
            line.setPlaceholderText(ABSENT_TEXT)
            line.setToolTip('Empty: the field is absent. Type "" for an empty string.')
            line.editingFinished.connect(self.commit)
            self.editor = line
            if spec.kind == "uuid":
                regen = QPushButton("Regenerate")
                regen.setObjectName(f"regenerate:{spec.key}")
                regen.clicked.connect(self.regenerate)
                layout.addWidget(line, 1)
                layout.addWidget(regen)
        if layout.count() == 0:
            layout.addWidget(self.editor, 1)
        if spec.kind not in ("bool",):
            self.remove_button = QToolButton()
            self.remove_button.setText("×")
            self.remove_button.setObjectName(f"absent:{spec.key}")
            self.remove_button.setToolTip("Remove the field from the payload (absent)")
            self.remove_button.clicked.connect(self.remove)
            layout.addWidget(self.remove_button)
        self.editor.setObjectName(f"field:{spec.key}")

    # reading -----------------------------------------------------------------------------------------

    def current(self) -> Any:
        doc = self.form.doc
        if doc is None or doc.document is None:
            return _ABSENT
        return doc.document.get(self.spec.pointer, _ABSENT)

    def refresh(self) -> None:
        if self.editor.hasFocus() or self.editor.isAncestorOf(self.focusWidget() or self):
            return
        value = self.current()
        self.editor.blockSignals(True)
        try:
            if isinstance(self.editor, QComboBox):
                self.editor.setEditText("" if value is _ABSENT or value is None else str(value))
                line = self.editor.lineEdit()  # an editable combo always has one
                if line is not None:
                    line.setPlaceholderText(_placeholder(value))
            elif isinstance(self.editor, QCheckBox):
                self.editor.setChecked(value is True)
            elif isinstance(self.editor, QDateTimeEdit):
                seconds = self._seconds(value)
                if seconds is not None and abs(seconds) < _MAX_EDITOR_SECONDS:
                    self.editor.setDateTime(QDateTime.fromMSecsSinceEpoch(int(seconds * 1000), QTimeZone.utc()))
            elif isinstance(self.editor, QLineEdit):
                self.editor.setText("" if value is _ABSENT or value is None else str(value))
                self.editor.setPlaceholderText(_placeholder(value))
        finally:
            self.editor.blockSignals(False)

    def _seconds(self, value: Any) -> float | None:
        if self.spec.kind == "epoch_s" and isinstance(value, int | float) and not isinstance(value, bool):
            return epoch_seconds(value, 1000.0 if value > 1e11 else 1.0)  # None for 10**4000, NaN, infinity
        if self.spec.kind == "iso" and isinstance(value, str):
            return parse_iso(value)
        return None

    # writing -----------------------------------------------------------------------------------------

    def value_from_editor(self) -> Any:
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        if isinstance(self.editor, QCheckBox):
            return self.editor.isChecked()
        if isinstance(self.editor, QDateTimeEdit):
            return self._encode_time(self.editor.dateTime().toMSecsSinceEpoch() / 1000.0)
        assert isinstance(self.editor, QLineEdit)
        text = self.editor.text()
        if text == '""':  # typed on purpose: an empty string, not an absent field
            return ""
        old = self.current()
        if isinstance(old, int) and not isinstance(old, bool) and text.lstrip("-").isdigit():
            return int(text)
        return text

    def _encode_time(self, seconds: float) -> Any:
        if self.spec.kind == "iso":
            return iso_now(seconds)
        old = self.current()
        if isinstance(old, int | float) and not isinstance(old, bool) and old > 1e11:
            return int(seconds * 1000)
        return int(seconds)

    def commit(self) -> None:
        new = self.value_from_editor()
        old = self.current()
        if old is _ABSENT and new is None:
            return
        if old is _ABSENT and new == "" and self._typed_text() != '""':
            return  # left empty: stays absent
        if old is None and new == "" and self._typed_text() != '""':
            return  # null shows as an empty field: leaving it does not turn it into a string
        if old == new and type(old) is type(new):
            return
        self.form.commit(self.spec, new)

    def _typed_text(self) -> str:
        if isinstance(self.editor, QLineEdit):
            return self.editor.text()
        if isinstance(self.editor, QComboBox):
            return self.editor.currentText()
        return ""

    def remove(self) -> None:
        """Make the field absent (one undo step); nothing when it is absent already."""
        doc = self.form.doc
        if doc is None or doc.document is None or self.current() is _ABSENT:
            return
        doc.apply_edits([Edit("remove", self.spec.pointer)], f"Remove {self.spec.label}")

    def set_now(self) -> None:
        self.form.commit(self.spec, self._encode_time(time.time()))

    def regenerate(self) -> None:
        self.form.commit(self.spec, str(uuid.uuid4()))


class _ListEditor(QWidget):
    """A list (frames, threads or binaries) with add / remove / move up / move down and a detail table."""

    def __init__(self, form: FormsWidget, name: str) -> None:
        super().__init__()
        self.form, self.name = form, name
        self.model = JsonListModel()
        self.view = QListView()
        self.view.setObjectName(f"list:{name}")
        self.view.setModel(self.model)
        self.detail = KeyValueModel()
        self.detail_view = QTableView()
        self.detail_view.setObjectName(f"detail:{name}")
        self.detail_view.setModel(self.detail)
        self.detail_view.horizontalHeader().setStretchLastSection(True)
        self.detail_view.verticalHeader().hide()
        self.note = QLabel()
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        for label, slot in (
            ("Add", self.add),
            ("Remove", self.remove),
            ("Up", lambda: self.move_row(-1)),
            ("Down", lambda: self.move_row(1)),
        ):
            button = QPushButton(label)
            button.setObjectName(f"{name}:{label.lower()}")
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 2)
        layout.addWidget(self.detail_view, 1)
        self.view.selectionModel().currentChanged.connect(lambda cur, _prev: self._show_detail(cur.row()))
        self.model.modelReset.connect(lambda: self._show_detail(self.view.currentIndex().row()))

    def set_target(self, doc: OpenDocument | None, pointer: str | None, unavailable: str = "") -> None:
        self.model.set_target(doc, pointer)
        self.setEnabled(pointer is not None)
        self.note.setText(unavailable if pointer is None else pointer)

    def reload(self) -> None:
        row = self.view.currentIndex().row()
        self.model.reload()
        if 0 <= row < self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1)))

    def _show_detail(self, row: int) -> None:
        pointer = self.model.item_pointer(row) if 0 <= row < self.model.rowCount() else None
        self.detail.set_target(self.model.doc, pointer)

    def add(self) -> None:
        root = self.form.root
        if root is None:
            return
        fmt = self.form.doc.format if self.form.doc else ""
        row = self.view.currentIndex().row()
        if self.name == "frames":
            self.model.add(dict(root.frame_template), row=row + 1 if row >= 0 else None)
        elif self.name == "threads":
            key, value = F.thread_template(fmt, self.model.rowCount() + 1)
            self.model.add(value, key=key)
        else:
            self.model.add(F.binary_template(fmt))

    def remove(self) -> None:
        self.model.remove(self.view.currentIndex().row())

    def move_row(self, step: int) -> None:  # not move(): QWidget.move places the widget
        row = self.view.currentIndex().row()
        if self.model.move(row, step):
            self.view.setCurrentIndex(self.model.index(row + step))


class FormsWidget(QWidget):
    """Structured editing of the current document's most-edited fields."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: OpenDocument | None = None
        self.root: F.Root | None = None
        self._roots: list[F.Root] = []
        self.root_combo = QComboBox()
        self.root_combo.setObjectName("formRoot")
        self.root_combo.currentIndexChanged.connect(self._root_chosen)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.fields_box = QGroupBox("Fields")
        self.fields_layout = QFormLayout(self.fields_box)
        self.rows: dict[str, _FieldRow] = {}
        self.attributes = KeyValueModel()
        self.attributes_view = QTableView()
        self.attributes_view.setObjectName("attributesTable")
        self.attributes_view.setModel(self.attributes)
        self.attributes_view.horizontalHeader().setStretchLastSection(True)
        self.attributes_view.verticalHeader().hide()
        attr_page = QWidget()
        attr_layout = QVBoxLayout(attr_page)
        attr_buttons = QHBoxLayout()
        add_attr, del_attr = QPushButton("Add"), QPushButton("Remove")
        add_attr.setObjectName("attributes:add")
        del_attr.setObjectName("attributes:remove")
        add_attr.clicked.connect(lambda: self.attributes.add())
        del_attr.clicked.connect(lambda: self.attributes.remove(self.attributes_view.currentIndex().row()))
        attr_buttons.addWidget(add_attr)
        attr_buttons.addWidget(del_attr)
        attr_buttons.addStretch(1)
        self.attributes_note = QLabel()
        attr_layout.addWidget(self.attributes_note)
        attr_layout.addLayout(attr_buttons)
        attr_layout.addWidget(self.attributes_view)
        self.lists = {name: _ListEditor(self, name) for name in ("frames", "threads", "binaries")}
        fields_scroll = QScrollArea()
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        fields_scroll.setWidget(self.fields_box)
        self.tabs = QTabWidget()
        self.tabs.addTab(fields_scroll, "Fields")
        self.tabs.addTab(attr_page, "Attributes")
        for name, editor in self.lists.items():
            self.tabs.addTab(editor, name.capitalize())
        layout = QVBoxLayout(self)
        layout.addWidget(self.root_combo)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.set_document(None)

    def set_document(self, doc: OpenDocument | None) -> None:
        if self.doc is not None:
            self.doc.changed.disconnect(self.refresh)
        self.doc = doc
        if doc is not None:
            doc.changed.connect(self.refresh)
        self.refresh(rebuild=True)

    def refresh(self, rebuild: bool = False) -> None:
        doc = self.doc
        value = doc.document.value if doc is not None and doc.document is not None else None
        roots = F.roots(doc.format, value) if doc is not None else []
        labels = [(r.label, r.pointer, tuple(f.key for f in r.fields)) for r in roots]
        if rebuild or labels != [(r.label, r.pointer, tuple(f.key for f in r.fields)) for r in self._roots]:
            current = self.root_combo.currentIndex()
            self._roots = roots
            self.root_combo.blockSignals(True)
            self.root_combo.clear()
            self.root_combo.addItems([r.label for r in roots])
            self.root_combo.setCurrentIndex(min(max(current, 0), len(roots) - 1) if roots else -1)
            self.root_combo.blockSignals(False)
            self.root_combo.setVisible(len(roots) > 1)
            self._build_fields()
        self._roots = roots
        self.root = roots[self.root_combo.currentIndex()] if roots and self.root_combo.currentIndex() >= 0 else None
        if doc is None:
            self.message.setText("Open or create a document to edit it with forms.")
        elif doc.document is None:
            self.message.setText("This input is not JSON: no structured fields to edit.")
        elif doc.syntax_error is not None:
            self.message.setText("The raw text has a syntax error: the forms show (and edit) the last valid version.")
        else:
            self.message.setText("" if roots else "No editable error in this payload.")
        for row in self.rows.values():
            row.refresh()
        root = self.root
        self.attributes.set_target(doc, root.attributes if root else None)
        self.attributes_view.setEnabled(bool(root and root.attributes))
        self.attributes_note.setText(
            root.attributes or "" if root and root.attributes else "This payload has no attribute map."
        )
        for name, editor in self.lists.items():
            pointer = getattr(root, name) if root else None
            reason = {
                "threads": "No thread list in this payload.",
                "binaries": "No binary list in this payload.",
                "frames": "No frame list in this payload (message or crash_report body?).",
            }[name]
            if editor.model.doc is doc and editor.model.pointer == pointer:
                editor.reload()
            else:
                editor.set_target(doc, pointer, reason)

    def _build_fields(self) -> None:
        while self.fields_layout.rowCount():
            self.fields_layout.removeRow(0)
        self.rows = {}
        root = (
            self._roots[self.root_combo.currentIndex()] if self._roots and self.root_combo.currentIndex() >= 0 else None
        )
        if root is None:
            return
        for spec in root.fields:
            row = _FieldRow(self, spec)
            row.setToolTip(spec.pointer)
            self.rows[spec.key] = row
            self.fields_layout.addRow(spec.label, row)

    def _root_chosen(self, _index: int) -> None:
        self._build_fields()
        self.refresh()

    def commit(self, spec: F.FieldSpec, value: Any) -> None:
        if self.doc is None or self.doc.document is None:
            return
        try:
            edits = F.set_edits(self.doc.document.value, spec.pointer, value)
            self.doc.apply_edits(edits, f"Set {spec.label}")
        except InspectorError as exc:
            self.message.setText(str(exc))

    def field(self, key: str) -> _FieldRow:
        return self.rows[key]
