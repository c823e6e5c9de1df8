"""Installs the support toolkit: Tools › Convert to…, Redact…, Compare Reports; File › Export (Markdown, HTML, zip)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from inspector.formats.base import InspectorError
from inspector.toolkit.convert import TARGETS, TITLES
from inspector.ui.toolkit.convert_dialog import ConvertDialog
from inspector.ui.toolkit.diff_view import DiffView
from inspector.ui.toolkit.redact_dialog import RedactDialog


def export_current(window: Any, kind: str, path: str | None = None) -> Path | None:
    """Write the current document's summary (``markdown`` / ``html``) or support bundle (``bundle``)."""
    from inspector.toolkit.bundle import build_bundle
    from inspector.toolkit.export import to_html, to_markdown

    document = window.current_document()
    if document is None or not document.reports:
        window.status_message("Open a report to export first")
        return None
    suffix = {"markdown": ".md", "html": ".html", "bundle": ".zip"}[kind]
    if path is None:
        stem = Path(document.title).stem or "report"
        path, _ = QFileDialog.getSaveFileName(window, f"Export {kind}", stem + ("-bundle" if kind == "bundle" else "")
                                              + suffix)
        if not path:
            return None
    try:
        if kind == "bundle":
            source = str(document.path) if document.path else None
            result = build_bundle(document.submission, path, source=source)
            window.status_message(f"Bundle written: {len(result.entries)} files, {result.redactions} redactions")
        else:
            render = to_html if kind == "html" else to_markdown
            Path(path).write_text(render(document.submission, document.reports[0], document.problems),
                                  encoding="utf-8")
            window.status_message(f"Summary written to {path}")
    except (InspectorError, OSError) as exc:
        window.status_message(f"Cannot export: {exc}")
        return None
    return Path(path)


def install(window: Any) -> None:
    tools = window.menu("&Tools")
    convert_menu = tools.addMenu("Con&vert to")
    convert_menu.setObjectName("convertMenu")
    for name in TARGETS:
        action = convert_menu.addAction(f"{TITLES[name]}…")
        action.setObjectName(f"convertTo_{name}")
        action.triggered.connect(lambda _checked=False, n=name: ConvertDialog.convert_current(window, n))
    redact = tools.addAction("&Redact…")
    redact.setObjectName("redactAction")
    redact.triggered.connect(lambda: RedactDialog.redact_current(window))

    view = DiffView(lambda: [v.document for v in window.document_views()], window)
    window.add_panel("diff", "Compare Reports", view)
    window.document_opened.connect(lambda _doc: view.refresh_documents())
    compare = tools.addAction("&Compare Reports…")
    compare.setObjectName("compareAction")
    compare.triggered.connect(lambda: (view.refresh_documents(), window.show_panel("diff")))

    export_menu = window.menu("&File").addMenu("&Export")
    export_menu.setObjectName("exportMenu")
    for kind, label in (("markdown", "Summary as &Markdown…"), ("html", "Summary as &HTML…"),
                        ("bundle", "Support &Bundle (zip)…")):
        action = export_menu.addAction(label)
        action.setObjectName(f"export_{kind}")
        action.triggered.connect(lambda _checked=False, k=kind: export_current(window, k))
