"""The window's panels, one package per feature; each has an ``install`` module with ``install(window)``.

:data:`PANELS` lists them explicitly (no scanning of file names): the window installs them in this order, and the
frozen app's analysis finds them as ordinary modules. A new panel is a package here plus one line in the list.
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
