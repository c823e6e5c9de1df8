"""Moved: the ``send`` command is :mod:`inspector.cli.send`; :class:`Plan` is :mod:`inspector.net.sending`'s.

Kept only for the window's import of ``Plan`` until the ui package moves (then removed)."""

from inspector.net.sending import Plan

__all__ = ["Plan"]
