"""The raw JSON editor: highlighting of visible lines, line numbers, bracket matching, find/replace, go to pointer,
problem underlines, and live validation through :class:`inspector.ui.document.open_document.OpenDocument`."""

from inspector.ui.document.editor.widget import EditorWidget, create_editor

__all__ = ["EditorWidget", "create_editor"]
