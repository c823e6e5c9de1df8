"""The views of a document, in order (the View menu's Alt+1… shortcuts, ``DocumentView.show_view``): a module of
its own so that the window's start names them without importing the document view (60 ms)."""

from __future__ import annotations

VIEW_NAMES = ("summary", "frames", "threads", "binaries", "telemetry", "attachments", "metadata", "problems", "raw")
