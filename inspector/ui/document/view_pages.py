"""The pages of a document view's tabs, laid out: the frames above the selected frame's source, the timeline above
the telemetry, the attachments above their preview; the other views are pages as they are."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QTreeView, QVBoxLayout, QWidget


def _split(top: QWidget, bottom: QWidget, stretch: tuple[int, int]) -> QSplitter:
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(top)
    split.addWidget(bottom)
    for index, factor in enumerate(stretch):
        if factor:
            split.setStretchFactor(index, factor)
    return split


def view_pages(
    *,
    summary: QTextBrowser,
    frames: QTreeView,
    source: QWidget,
    threads: QTreeView,
    binaries: QTreeView,
    timeline: QWidget,
    telemetry: QTreeView,
    attachments_note: QLabel,
    attachments: QTreeView,
    attachment_preview: QWidget,
    metadata: QTreeView,
    problems: QTreeView,
    raw: QWidget,
) -> dict[str, QWidget]:
    """The page of each view, by its name (in :data:`~inspector.ui.document.view_names.VIEW_NAMES` order)."""
    attach_page = QWidget()
    attach_layout = QVBoxLayout(attach_page)
    attach_layout.setContentsMargins(0, 0, 0, 0)
    attach_layout.addWidget(attachments_note)
    attach_layout.addWidget(_split(attachments, attachment_preview, (0, 3)))
    return {
        "summary": summary,
        "frames": _split(frames, source, (3, 2)),
        "threads": threads,
        "binaries": binaries,
        "telemetry": _split(timeline, telemetry, (0, 4)),
        "attachments": attach_page,
        "metadata": metadata,
        "problems": problems,
        "raw": raw,
    }
