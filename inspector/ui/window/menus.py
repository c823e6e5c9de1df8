"""The window's menus: File (grouped, whatever the panels add), Edit, View, Tools, Help, and the actions that only
the menus start (find and replace in the editor, a new document from a template, Preferences, Help, About).

Functions of the window (``build_menus(window)``), called by :class:`~inspector.ui.window.main_window.MainWindow`."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from inspector import settings
from inspector.ui.document.view_names import VIEW_NAMES
from inspector.ui.window.recent_files import MAX_RECENT, sample_paths, save_recent

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from inspector.ui.window.main_window import MainWindow


def set_shortcut(action: QAction, keys: QKeySequence | QKeySequence.StandardKey | str) -> None:
    """``action.setShortcut(keys)``, which Qt 6 implements as ``setShortcuts([keys])``: PySide's overloads of
    ``setShortcut`` build the Qt namespace on first call (20 ms of the start, see inspector.ui.app)."""
    if isinstance(keys, QKeySequence.StandardKey):  # every binding of the platform (Close: Ctrl+F4 and Ctrl+W)
        action.setShortcuts(QKeySequence.keyBindings(keys))
    else:
        action.setShortcuts([keys if isinstance(keys, QKeySequence) else QKeySequence(keys)])


def build_menus(window: MainWindow) -> None:
    file_menu = window.menu("&File")
    add_action(window, file_menu, "&New…", (lambda: new_document(window)), QKeySequence.StandardKey.New, "newAction")
    add_action(window, file_menu, "&Open…", window.open_dialog, QKeySequence.StandardKey.Open, "openAction")
    add_action(
        window, file_menu, "Open from &Clipboard", window.open_clipboard, QKeySequence("Ctrl+Shift+V"), "openClipboard"
    )
    window.samples_menu = file_menu.addMenu("Open &Sample")
    window.samples_menu.setObjectName("samplesMenu")
    for sample in sample_paths():
        window.samples_menu.addAction(sample.name, partial(window.open_paths, [str(sample)]))
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.recent_menu.setObjectName("recentMenu")
    window.recent_menu.setEnabled(False)  # filled when the File menu first opens: the start reads no config file
    file_menu.aboutToShow.connect(lambda: None if window._recent is not None else fill_recent_menu(window))
    file_menu.aboutToShow.connect(lambda: arrange_file_menu(window))
    add_action(window, file_menu, "&Close Tab", window.close_current_tab, QKeySequence.StandardKey.Close, "closeTab")
    add_action(
        window, file_menu, "Close &All Tabs", window.close_all_tabs, QKeySequence("Ctrl+Shift+W"), "closeAllTabs"
    )
    add_action(window, file_menu, "&Quit", window.request_quit, QKeySequence.StandardKey.Quit, "quitAction")

    edit_menu = window.menu("&Edit")
    add_action(
        window, edit_menu, "&Find…", (lambda: find_or_filter(window)), QKeySequence.StandardKey.Find, "findAction"
    )
    replace_keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Replace) or [QKeySequence("Ctrl+H")]
    replace = add_action(window, edit_menu, "&Replace…", (lambda: find_and_replace(window)), None, "replaceAction")
    replace.setShortcuts(replace_keys)
    edit_menu.addSeparator()
    add_action(window, edit_menu, "&Edit This File", lambda: window.allow_editing(True), None, "editInPlaceAction")
    add_action(window, edit_menu, "Edit a &Copy", lambda: window.allow_editing(False), None, "editCopyAction")
    edit_menu.addSeparator()
    add_action(
        window,
        edit_menu,
        "&Preferences…",
        (lambda: show_preferences(window)),
        QKeySequence.StandardKey.Preferences,
        "preferencesAction",
    ).setMenuRole(QAction.MenuRole.PreferencesRole)
    for name, fallback in (("preferencesAction", "Ctrl+,"), ("quitAction", "Ctrl+Q")):
        action = window.findChild(QAction, name)  # platforms without a standard binding for it get the usual one
        if action is not None and not action.shortcuts():
            set_shortcut(action, QKeySequence(fallback))

    view_menu = window.menu("&View")
    add_action(window, view_menu, "Next Tab", lambda: window._cycle(1), QKeySequence("Ctrl+Tab"))
    add_action(
        window,
        view_menu,
        "Previous Tab",
        lambda: window._cycle(-1),
        QKeySequence("Ctrl+Shift+Tab"),
    )
    view_menu.addSeparator()
    for number, name in enumerate(VIEW_NAMES, start=1):
        add_action(
            window, view_menu, name.capitalize(), lambda n=name: window.show_view(n), QKeySequence(f"Alt+{number}")
        )
    view_menu.addSeparator()
    window._panels_menu = view_menu.addMenu("&Panels")
    window.menu("&Tools")
    help_menu = window.menu("&Help")
    add_action(
        window,
        help_menu,
        "Crash Inspector &Help",
        (lambda: show_help(window)),
        QKeySequence.StandardKey.HelpContents,
        "helpAction",
    )
    add_action(
        window, help_menu, "&Keyboard Shortcuts", lambda: show_help(window, "shortcuts"), None, "shortcutsAction"
    )
    add_action(window, help_menu, "Files and &Log", lambda: show_help(window, "files"), None, "filesAction")
    help_menu.addSeparator()
    add_action(
        window, help_menu, "&About Crash Inspector", (lambda: show_about(window)), None, "aboutAction"
    ).setMenuRole(QAction.MenuRole.AboutRole)
    arrange_file_menu(window)


#: The File menu's groups, top to bottom, by action objectName or menu title (other actions: the "more" group,
#: above Close and Quit). Panels add File actions anywhere; :meth:`arrange_file_menu` sorts them into place.
FILE_GROUPS = (
    ("newMenu", "newAction"),
    ("openAction", "openClipboard", "samplesMenu", "recentMenu"),
    ("saveAction", "saveAsAction", "duplicateAction", "restoreDraftsAction"),
    (),  # everything else: Export, Upload symbols...
    ("closeTab", "closeAllTabs"),
    ("quitAction",),
)


def arrange_file_menu(window: MainWindow) -> None:
    """Group the File menu (new | open | save | export and more | close | quit) with separators between groups."""
    menu = window.menu("&File")
    actions = [a for a in menu.actions() if not a.isSeparator()]
    groups: list[list[QAction]] = [[] for _ in FILE_GROUPS]
    more = FILE_GROUPS.index(())
    for action in actions:
        name = menu_name(action)
        slot = next((i for i, names in enumerate(FILE_GROUPS) if name in names), more)
        groups[slot].append(action)
    for group, names in zip(groups, FILE_GROUPS, strict=True):
        group.sort(key=lambda a: names.index(n) if (n := menu_name(a)) in names else len(names))
    ordered = list(menu.actions())
    wanted: list[QAction | None] = []
    for group in groups:
        if group:
            if wanted:
                wanted.append(None)
            wanted.extend(group)
    current = [None if a.isSeparator() else a for a in ordered]
    if current == wanted:
        return
    for action in ordered:
        menu.removeAction(action)
        if action.isSeparator():
            action.deleteLater()
    for entry in wanted:
        if entry is None:
            menu.addSeparator()
        else:
            menu.addAction(entry)


def menu_name(action: QAction) -> str:
    """The action's objectName, or its submenu's (a New menu without a name counts as "newMenu")."""
    from PySide6.QtWidgets import QMenu

    sub = action.menu()
    if isinstance(sub, QMenu):
        return sub.objectName() or ("newMenu" if sub.title().replace("&", "") == "New" else "")
    return action.objectName()


def add_action(
    window: MainWindow,
    menu: QMenu,
    text: str,
    slot,
    shortcut: QKeySequence | QKeySequence.StandardKey | None = None,
    name: str | None = None,
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        set_shortcut(action, shortcut)
    if name:
        action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def fill_recent_menu(window: MainWindow) -> None:
    window.recent_menu.clear()
    for path in window.recent:
        window.recent_menu.addAction(path, partial(window.open_paths, [path]))
    window.recent_menu.setEnabled(bool(window.recent))


def remember(window: MainWindow, path: str) -> None:
    resolved = str(Path(path).resolve())
    window.recent = [resolved] + [p for p in window.recent if p != resolved]
    window.recent = window.recent[:MAX_RECENT]
    save_recent(window.recent)
    fill_recent_menu(window)


def focused_editor(window: MainWindow) -> QWidget | None:
    """The raw editor (a widget with a find bar: ``show_find``) that holds the keyboard focus, if one does."""
    widget = QApplication.focusWidget()
    while widget is not None and widget is not window:
        if callable(getattr(widget, "show_find", None)):
            return widget
        widget = widget.parentWidget()
    return None


def find_or_filter(window: MainWindow) -> None:
    """Edit › Find (Ctrl+F): the raw editor's find bar when the editor has the focus, the filter elsewhere."""
    editor = focused_editor(window)
    if editor is not None:
        editor.show_find()  # type: ignore[attr-defined]
    else:
        window.focus_filter()


def find_and_replace(window: MainWindow) -> None:
    """Edit › Replace (Ctrl+H; Cmd+Option+F on macOS): the raw editor's find bar with "Replace with" focused.
    From elsewhere it shows the current document's raw view first."""
    editor = focused_editor(window)
    view = window.current_view()
    if editor is None and view is not None and callable(getattr(view.raw_view, "show_find", None)):
        view.show_view("raw")
        editor = view.raw_view
    if editor is None:
        window.status_message("Replace works in the raw editor (File › New, or Edit on an open document)")
        return
    editor.show_find()  # type: ignore[attr-defined]
    bar = getattr(editor, "find_bar", None)
    if bar is not None:
        bar.replace_edit.setFocus()
        bar.replace_edit.selectAll()


def new_document(window: MainWindow) -> None:
    """File › New… (Ctrl+N): the New menu's templates as a pop-up list under the menu bar (arrows, Enter)."""
    from PySide6.QtWidgets import QMenu

    menu = window.findChild(QMenu, "newMenu")
    if menu is None or not menu.actions():
        window.status_message("No templates installed")
        return
    menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    menu.setActiveAction(menu.actions()[0])


def show_preferences(window: MainWindow) -> None:
    from inspector.ui.window.preferences import PreferencesDialog

    dialog = window.findChild(PreferencesDialog)
    if dialog is None:
        dialog = PreferencesDialog(window)
        dialog.applied.connect(lambda: settings_applied(window))
    dialog.reload()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()


def settings_applied(window: MainWindow) -> None:
    from inspector.ui.window.preferences import apply_theme

    apply_theme(window.settings.theme)
    window.settings_changed.emit()
    window.status_message(f"Preferences saved to {settings.settings_path()}")


def show_help(window: MainWindow, page: str = "guide") -> None:
    """Help (F1): the README's sections, the keyboard shortcuts, where files and the log are; ``page`` first."""
    from inspector.ui.window.help import HelpWindow

    help_window = window.findChild(HelpWindow)
    if help_window is None:
        help_window = HelpWindow(window)
    help_window.show_page(page)
    help_window.show()
    help_window.raise_()
    help_window.activateWindow()


def show_about(window: MainWindow) -> None:
    from PySide6.QtWidgets import QMessageBox

    from inspector.ui.window.help import about_html

    QMessageBox.about(window, "About Crash Inspector", about_html())
