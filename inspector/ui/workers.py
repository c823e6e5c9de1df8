"""Run slow work (parsing, validation, HTTP) on a thread pool and get the answer back on the GUI thread.

Usage::

    task = run_task(load_path, path, on_result=self._loaded, on_error=self._failed)
    task.cancel()   # sets task.cancelled; cooperative: the function may poll a CancelToken it was given

``on_result`` / ``on_error`` are called on the GUI thread (queued signal delivery), never both, exactly once —
unless the task was cancelled, then neither is called.
"""

from __future__ import annotations

import gc
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class CancelToken:
    """Passed to functions that accept ``cancel=``; they call ``check()`` now and then."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise TaskCancelled()


class TaskCancelled(Exception):
    """Raised inside a task that noticed its CancelToken."""


class _Signals(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(object)


class Task(QRunnable):
    """One unit of background work. Keep a reference while it runs (the pool does not own the signals object)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _Signals()
        self.token = CancelToken()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.done = threading.Event()

    def run(self) -> None:  # Override QRunnable.run (worker thread)
        try:
            result = self._fn(*self._args, **self._kwargs)
        except TaskCancelled:
            result = None
        except BaseException as exc:  # reported to the GUI thread, never lost
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            if not self.token.cancelled:
                self._emit(self.signals.error, exc)
        else:
            if not self.token.cancelled:
                self._emit(self.signals.result, result)
        finally:
            # The arguments (a whole document, often) are not needed any more: a task kept for its signals, or
            # never released because it was cancelled, must not keep them alive.
            self._fn, self._args, self._kwargs = _done, (), {}
            result = None
            if self.token.cancelled:  # no signal comes to release it on the GUI thread
                _release(self)
            self.done.set()

    def _emit(self, signal: Any, value: Any) -> None:
        """Emit unless the signals object is gone (its owner was deleted while the task ran: nobody listens)."""
        try:
            signal.emit(value)
        except RuntimeError as exc:
            if "deleted" not in str(exc):
                raise

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled


def _done(*_args: Any, **_kwargs: Any) -> None:
    """What a finished task holds instead of its function."""


_running: set[Task] = set()
_running_lock = threading.Lock()


def _release(task: Task) -> None:
    """The task answered (or was cancelled): let it go, and drop the slots connected to its signals. Those slots
    (the caller's callbacks, closures over a document, often) are held by the signals' C++ connections, which the
    garbage collector cannot see: a finished task kept by its owner (a document keeps its last validation) made
    owner -> task -> signals -> callback -> owner a cycle never freed (a closed 100 MB document stayed in memory)."""
    with _running_lock:
        _running.discard(task)
    for signal in (task.signals.result, task.signals.error):  # (run_task connects both; progress: never)
        try:
            signal.disconnect()
        except (RuntimeError, TypeError):  # nothing connected, or the signals object is gone
            pass


def running_count() -> int:
    """How many started tasks are still held (tests check that cancelled ones are let go)."""
    with _running_lock:
        return len(_running)


#: How long a thread may keep the GIL while another waits for it (Python's default: 5 ms). The GUI thread takes and
#: gives back the GIL at every call into Python (each item model ``data()`` while painting: ~1 000 per frame); with
#: a Python worker busy, every one of them waited up to the whole interval: 0.5 s for the first paint of a tab while
#: a 100 MB document was being validated (measured), 60 ms at 1 ms.
GIL_SWITCH_INTERVAL_S = 0.001


def share_the_gil() -> None:
    """Make busy worker threads hand the GIL to the GUI thread promptly (process-wide; called on the first task)."""
    if sys.getswitchinterval() > GIL_SWITCH_INTERVAL_S:
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


_kept_lock = threading.Lock()
_kept_depth = 0
_kept_collector_was_on = True


@contextmanager
def keeping_objects() -> Iterator[None]:
    """Build long-lived objects (a big document's reports, 10 000 threads: ~170 000 objects) without the cyclic
    collector, then move everything the process holds out of its walks (``gc.freeze``).

    With them walked, every full collection held the GIL 25-56 ms (a 84 MB and a 20 MB document open; measured),
    on whichever thread allocated at the time: the GUI thread or a worker it waits for (bench_stall: a 39 ms stall
    while a file opened, up to 95 ms for one form edit). These objects hold no reference cycles: reference counting
    frees them when a tab closes or an edit replaces them. Garbage cycles made meanwhile are frozen too; a closed
    tab gives them back to the collector (:func:`release_kept_objects`). Nestable, from any thread."""
    global _kept_depth, _kept_collector_was_on
    with _kept_lock:
        if _kept_depth == 0:
            _kept_collector_was_on = gc.isenabled()
        _kept_depth += 1
        gc.disable()
    try:
        yield
    finally:
        with _kept_lock:
            _kept_depth -= 1
            gc.freeze()  # before collections resume: the first one would otherwise walk all of them at once
            if _kept_depth == 0 and _kept_collector_was_on:
                gc.enable()


def release_kept_objects() -> None:
    """Give the objects :func:`keeping_objects` froze back to the collector (a tab closed: its widgets' garbage
    cycles, frozen with the rest, can be freed now; the next full collection walks what stays open once)."""
    with _kept_lock:
        gc.unfreeze()


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], object] | None = None,
    on_error: Callable[[BaseException], object] | None = None,
    pass_token: bool = False,
    pool: QThreadPool | None = None,
    **kwargs: Any,
) -> Task:
    """Start ``fn(*args, **kwargs)`` on the pool. With ``pass_token`` it also gets ``cancel=CancelToken``."""
    share_the_gil()
    task = Task(fn, args, kwargs)
    if pass_token:
        task._kwargs["cancel"] = task.token
    if on_result is not None:
        task.signals.result.connect(on_result)
    if on_error is not None:
        task.signals.error.connect(on_error)
    with _running_lock:
        _running.add(task)
    task.signals.result.connect(lambda _r, t=task: _release(t))
    task.signals.error.connect(lambda _e, t=task: _release(t))
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def cancel_all() -> int:
    """Cancel every task still held (the process is ending: nobody wants their answers); how many there were.
    Cooperative as :meth:`Task.cancel`: a task that polls its token stops soon, one that writes finishes."""
    with _running_lock:
        tasks = list(_running)
    for task in tasks:
        task.cancel()
    return len(tasks)


def wait_all(timeout_ms: int = 5000) -> bool:
    """Wait for every started task (tests and shutdown)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
