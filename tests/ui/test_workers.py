"""The worker pool lets go of every task and of its arguments, cancelled or not."""

from __future__ import annotations

import gc
import threading
import weakref

from inspector.ui import workers
from inspector.ui.workers import run_task, running_count, wait_all


class Payload:
    """Stands for a big document handed to a task."""


def test_cancelled_tasks_release_themselves_and_their_arguments(qtbot) -> None:
    before = running_count()
    gate = threading.Event()
    payloads = [Payload() for _ in range(20)]
    refs = [weakref.ref(p) for p in payloads]
    results: list[object] = []

    def work(payload: Payload, cancel: workers.CancelToken) -> str:
        gate.wait(10)
        cancel.check()
        return "done"

    tasks = [run_task(work, p, pass_token=True, on_result=results.append) for p in payloads]
    assert running_count() == before + 20
    for task in tasks[:15]:  # a debounced edit cancels the previous validation
        task.cancel()
    del payloads
    gate.set()
    assert wait_all(30_000)
    qtbot.waitUntil(lambda: len(results) == 5, timeout=30_000)
    qtbot.wait(50)  # the queued result signals release the 5 finished tasks on the GUI thread
    assert results == ["done"] * 5
    assert running_count() <= before  # (a task an earlier test left may have finished meanwhile)
    del tasks
    gc.collect()
    assert [r() for r in refs] == [None] * 20  # no task keeps its document alive


def test_a_kept_finished_task_holds_no_arguments(qtbot) -> None:
    payload = Payload()
    ref = weakref.ref(payload)
    got: list[int] = []
    task = run_task(lambda p: 2, payload, on_result=got.append)
    del payload
    assert wait_all(30_000)
    qtbot.waitUntil(lambda: got == [2], timeout=30_000)
    gc.collect()
    assert ref() is None and task.done.is_set()  # the caller still holds the task, not the document
