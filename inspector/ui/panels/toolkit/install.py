"""Installs the support toolkit: Tools › Convert to…, Redact…, Compare Reports; File › Export (Markdown, HTML, zip)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from inspector.ui.window.main_window import MainWindow

# The menus are built from CONVERT_TARGETS, not from inspector.toolkit or the format modules, so that the start does
# not import them (0.1 s): the dialogs, the Compare panel and the exports import them on first use.

#: Convert to...: :data:`inspector.formats.JSON_FORMATS` and each format module's ``TITLE``, written out here (a test
#: keeps both equal) so that the start imports no format module.
CONVERT_TARGETS = (("backtrace", "Backtrace"), ("rollbar", "Rollbar"), ("appcenter", "App Center"))


def _convert(window: MainWindow, name: str) -> None:
    from inspector.ui.panels.toolkit.convert_dialog import ConvertDialog

    ConvertDialog.convert_current(window, name)


def _redact(window: MainWindow) -> None:
    from inspector.ui.panels.toolkit.redact_dialog import RedactDialog

    RedactDialog.redact_current(window)


def export_current(window: MainWindow, kind: str, path: str | None = None) -> Path | None:
    """Write the current document's summary (``markdown`` / ``html``) or support bundle (``bundle``)."""
    from PySide6.QtWidgets import QFileDialog

    from inspector import atomic
    from inspector.formats.base import InspectorError
    from inspector.toolkit.bundle import build_bundle
    from inspector.toolkit.export import to_html, to_markdown

    document = window.current_document()
    if document is None or not document.reports:
        window.status_message("Open a report to export first")
        return None
    suffix = {"markdown": ".md", "html": ".html", "bundle": ".zip"}[kind]
    if path is None:
        stem = Path(document.title).stem or "report"
        path, _ = QFileDialog.getSaveFileName(
            window, f"Export {kind}", stem + ("-bundle" if kind == "bundle" else "") + suffix
        )
        if not path:
            return None
    try:
        if kind == "bundle":
            source = str(document.path) if document.path else None
            result = build_bundle(document.submission, path, source=source)
            window.status_message(f"Bundle written: {len(result.entries)} files, {result.redactions} redactions")
        else:
            render = to_html if kind == "html" else to_markdown
            atomic.write_text(path, render(document.submission, document.reports[0], document.problems))
            window.status_message(f"Summary written to {path}")
    except (InspectorError, OSError) as exc:
        window.status_message(f"Cannot export: {exc}")
        return None
    return Path(path)


def install(window: MainWindow) -> None:
    tools = window.menu("&Tools")
    convert_menu = tools.addMenu("Con&vert to")
    convert_menu.setObjectName("convertMenu")
    for name, title in CONVERT_TARGETS:
        action = convert_menu.addAction(f"{title}…")
        action.setObjectName(f"convertTo_{name}")
        action.triggered.connect(lambda _checked=False, n=name: _convert(window, n))
    redact = tools.addAction("&Redact…")
    redact.setObjectName("redactAction")
    redact.triggered.connect(lambda: _redact(window))

    built: list[Any] = []  # the Compare panel, once its dock was first shown

    def build() -> Any:
        from inspector.ui.panels.toolkit.diff_view import DiffView

        view = DiffView(lambda: [v.document for v in window.document_views()], window)
        built.append(view)
        return view

    def refresh() -> None:
        if built:
            built[0].refresh_documents()

    def compare_reports() -> None:
        window.panel_widget("diff")
        refresh()
        window.show_panel("diff")

    window.add_panel("diff", "Compare Reports", build)
    window.hooks.document_opened.append(lambda _doc: refresh())
    compare = tools.addAction("&Compare Reports…")
    compare.setObjectName("compareAction")
    compare.triggered.connect(compare_reports)

    export_menu = window.menu("&File").addMenu("&Export")
    export_menu.setObjectName("exportMenu")
    for kind, label in (
        ("markdown", "Summary as &Markdown…"),
        ("html", "Summary as &HTML…"),
        ("bundle", "Support &Bundle (zip)…"),
    ):
        action = export_menu.addAction(label)
        action.setObjectName(f"export_{kind}")
        action.triggered.connect(lambda _checked=False, k=kind: export_current(window, k))
