"""Start-up laziness in one place: names and modules the window imports on first use, not at the start.

The start imports neither the formats nor the document and its views (0.1 s); :class:`Deferred` stands for a class
or function of such a module until it is first called, and :func:`import_module` loads a panel's install module.
The window's modules import those names from here: ``from inspector.ui.lazy import DocumentView, OpenDocument``
(type checkers see the real ones).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any


class Deferred:
    """A class or function of a module that is imported on first use: calling it and ``isinstance`` work as with
    the real one. The module is imported when it is first called (on the loading worker, when the first file opens,
    or when the first document view is built)."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def resolve(self) -> Any:
        return getattr(importlib.import_module(self.module), self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.resolve()(*args, **kwargs)

    def __instancecheck__(self, obj: object) -> bool:
        # Never imported, or still being imported (by the loading worker): there is no instance to check.
        cls = getattr(sys.modules.get(self.module), self.name, None)
        return cls is not None and isinstance(obj, cls)


def import_module(name: str) -> ModuleType:
    """Import ``name`` now (a panel's install module, when the window installs its panels)."""
    return importlib.import_module(name)


if TYPE_CHECKING:
    from inspector.formats import load_bytes, load_path
    from inspector.ui.document.document_view import DocumentView
    from inspector.ui.document.open_document import OpenDocument
else:  # imported on first use: on the loading worker when the first file opens, or for the first document view
    load_bytes = Deferred("inspector.formats", "load_bytes")
    load_path = Deferred("inspector.formats", "load_path")
    OpenDocument = Deferred("inspector.ui.document.open_document", "OpenDocument")
    DocumentView = Deferred("inspector.ui.document.document_view", "DocumentView")

__all__ = ["Deferred", "DocumentView", "OpenDocument", "import_module", "load_bytes", "load_path"]
