"""Loading progress without threading a callback through every parser: the caller sets one for its thread
(:func:`reporting`), the parsers say how far they got (:func:`report`). Cheap when nobody listens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ProgressFn = Callable[[int, int], None]  # (bytes done, bytes in all)

_listener: ContextVar[ProgressFn | None] = ContextVar("load_progress", default=None)


def report(done: int, total: int) -> None:
    listener = _listener.get()
    if listener is not None:
        listener(done, total)


@contextmanager
def reporting(listener: ProgressFn | None) -> Iterator[None]:
    """Send :func:`report` calls made in this context (this thread) to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
