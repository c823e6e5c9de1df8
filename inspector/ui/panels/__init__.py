"""The window's panels, one package per feature; each has an ``install`` module with ``install(window)``.

:data:`PANELS` lists them explicitly (no scanning of file names): the window installs them in this order, and the
frozen app's analysis finds them as ordinary modules. A new panel is a package here plus one line in the list.

``install(window)`` only wires: docks (``window.add_panel`` with a function that builds the widget on first show),
menu actions, and callbacks registered in ``window.hooks`` (:class:`inspector.ui.window.hooks.WindowHooks`: document
opened/closed, close-tab and quit guards, payload recorded, the Send panel's ``send_submission``). A panel never
assigns attributes of the window nor re-routes its actions (tests/ui/test_panel_api.py), and never finds another
panel by name or through a module global: what one offers the others is a typed slot of the hooks.
"""

from __future__ import annotations

#: The feature packages under :mod:`inspector.ui.panels`, in the order the window installs them (their menu
#: actions appear in this order).
PANELS: tuple[str, ...] = (
    "capture",
    "compose",
    "history",
    "replay",
    "send",
    "sourcemaps",
    "symbolicate",
    "toolkit",
    "uploads",
)


def install_module(name: str) -> str:
    """The module of panel ``name`` whose ``install(window)`` adds it to the window."""
    return f"{__name__}.{name}.install"
