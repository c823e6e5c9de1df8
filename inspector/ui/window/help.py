"""Help › Crash Inspector Help (F1): the README's sections, the keyboard shortcuts, where the files and the log are,
and the versions (About).

The shortcut list is read from the window's own actions, so it is never out of date.
"""

from __future__ import annotations

import html
import platform
import re
import sys

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

from inspector import settings
from inspector.resources import resources_dir

#: The guide when no README is found next to the package (an installed wheel).
FALLBACK_GUIDE = """# Crash Inspector

Open a crash payload with **File › Open** (Ctrl+O), drop it on the window, or paste it with
**File › Open from Clipboard** (Ctrl+Shift+V). Files open read-only: choose **Edit** on the bar above the document
to edit the file itself or a copy. **File › New** (Ctrl+N) starts a payload from a template.
"""


def readme_text() -> str:
    """The README of the checkout (or the bundled copy) without its screenshots (the window is right there);
    a short guide when there is none."""
    for candidate in (resources_dir().parent / "README.md", resources_dir() / "README.md"):
        try:
            return without_images(candidate.read_text(encoding="utf-8"))
        except OSError:
            continue
    return FALLBACK_GUIDE


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


def without_images(markdown: str) -> str:
    """Drop the tables of screenshots and any other image of a Markdown text."""
    out: list[str] = []
    table: list[str] = []
    for line in [*markdown.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
            continue
        if table and not any(_IMAGE.search(row) for row in table):
            out.extend(table)
        table = []
        out.append(_IMAGE.sub("", line))
    return "\n".join(out)


def _keys(keys: list[QKeySequence]) -> str:
    """The keys as the platform writes them, without the dedicated keys of some keyboards ("New", "Undo")."""
    texts = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys if not k.isEmpty()]
    return ", ".join(t for t in texts if "+" in t or not (t.isalpha() and len(t) > 1)) or ", ".join(texts)


def shortcut_rows(window: QObject) -> list[tuple[str, str, str]]:
    """(where, what, keys) of every action and shortcut of the window that has keys, menu order first."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()
    menu_bar = getattr(window, "menuBar", None)
    if callable(menu_bar):
        for top in menu_bar().actions():
            menu = top.menu()
            if menu is None:
                continue
            where = top.text().replace("&", "")
            stack = [(where, menu)]
            while stack:
                place, current = stack.pop(0)
                for action in current.actions():
                    if action.menu() is not None:
                        stack.append((f"{place} › {action.text().replace('&', '')}", action.menu()))
                        continue
                    seen.add(id(action))
                    if action.shortcuts():
                        rows.append((place, action.text().replace("&", "").rstrip("…"), _keys(action.shortcuts())))
    for action in window.findChildren(QAction):
        if id(action) not in seen and action.shortcuts() and action.text():
            rows.append(("Views", action.text().replace("&", ""), _keys(action.shortcuts())))
    for shortcut in window.findChildren(QShortcut):
        if not shortcut.key().isEmpty():
            what = shortcut.whatsThis() or shortcut.objectName() or "Shortcut"
            rows.append(("Editor", what, _keys([shortcut.key()])))
    unique: list[tuple[str, str, str]] = []
    for row in rows:
        if row not in unique:
            unique.append(row)
    return unique


def shortcuts_html(window: QObject) -> str:
    extra = [
        ("Filter", "Clear the filter", "Esc"),
        ("Raw editor", "Go to JSON Pointer", "Ctrl+L"),
    ]
    rows = "".join(
        f"<tr><td>{html.escape(w)}</td><td>{html.escape(t)}</td><td><b>{html.escape(k)}</b></td></tr>"
        for w, t, k in [*shortcut_rows(window), *extra]
    )
    return (
        "<h2>Keyboard shortcuts</h2><p>Ctrl+F finds in the raw editor when it has the focus, and filters the views "
        "everywhere else.</p><table cellspacing=0 cellpadding=3><tr><th align=left>Where</th>"
        f"<th align=left>Action</th><th align=left>Keys</th></tr>{rows}</table>"
    )


def versions() -> dict[str, str]:
    import PySide6
    from PySide6.QtCore import qVersion

    from inspector import __version__

    return {
        "Crash Inspector": __version__,
        "Python": f"{platform.python_version()} ({sys.executable})",
        "Qt": qVersion(),
        "PySide6": PySide6.__version__,
        "System": platform.platform(),
    }


def about_html() -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in versions().items())
    return (
        "<b>Crash Inspector</b><br>Read, validate, compose and send crash payloads (Backtrace, Rollbar, App Center, "
        f"minidumps, Apple crash reports).<table>{rows}</table>"
        f"<p>Log: {html.escape(str(settings.log_path()))}</p>"
    )


def files_html() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td><code>{html.escape(str(path))}</code></td></tr>"
        for name, path in settings.all_paths().items()
    )
    return (
        "<h2>Files and log</h2><p>Crash Inspector keeps these files (secrets are never among them: they live in the "
        f"system keyring).</p><table cellpadding=3>{rows}</table><h2>Versions</h2><table cellpadding=3>"
        + "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in versions().items())
        + "</table>"
    )


class HelpWindow(QDialog):
    """A non-modal window with three pages: guide (the README), shortcuts, files (and versions)."""

    PAGES = ("guide", "shortcuts", "files")

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("helpWindow")
        self.setWindowTitle("Crash Inspector Help")
        self.resize(820, 620)
        self.pages = QTabWidget()
        self.pages.setObjectName("helpPages")
        self.guide = QTextBrowser()
        self.guide.setObjectName("helpGuide")
        self.guide.setOpenExternalLinks(True)
        self.guide.setMarkdown(readme_text())
        self.shortcuts = QTextBrowser()
        self.shortcuts.setObjectName("helpShortcuts")
        self.files = QTextBrowser()
        self.files.setObjectName("helpFiles")
        self.files.setHtml(files_html())
        self.pages.addTab(self.guide, "Guide")
        self.pages.addTab(self.shortcuts, "Keyboard Shortcuts")
        self.pages.addTab(self.files, "Files, Log and Versions")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self._window = window

    def show_page(self, page: str) -> None:
        self.shortcuts.setHtml(shortcuts_html(self._window))  # the panels may have added actions since
        self.pages.setCurrentIndex(self.PAGES.index(page) if page in self.PAGES else 0)
