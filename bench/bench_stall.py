"""The longest GUI event-loop stall (goal <= 50 ms): a QTimer beats every 5 ms, the largest gap is recorded.

    python bench/bench_stall.py [--quick] [--json]

Scenarios, each in the real window (offscreen): opening the big Backtrace payload (File > Open path: worker
parse, then the tab is built), editing the 20 MB document (a form edit: splice, re-derive, re-validate), sending a
20 MB body to a local server with the send engine on the thread pool, the local receiver capturing a burst of
requests on its own thread, and last a form edit of the big Backtrace payload (made editable, its text never
shown: the edit, the re-derivation, the edited text made on the pool, the validation), then a second one with its
text made. Baseline: the same heartbeat with the loop idle.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_common import Row, app_homes, emit, parse_args, payload
from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication

BEAT_MS = 5
GOAL_MS = 50.0


class Heartbeat:
    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.max_gap = 0.0
        self.last = 0

    def _beat(self) -> None:
        now = self.clock.nsecsElapsed()
        self.max_gap = max(self.max_gap, (now - self.last) / 1e6)
        self.last = now

    def start(self) -> None:
        self.max_gap = 0.0
        self.clock.start()
        self.last = self.clock.nsecsElapsed()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.max_gap


def spin(app: QApplication, until: object, limit_s: float) -> bool:
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        app.processEvents()
        if until():  # type: ignore[operator]
            return True
        time.sleep(0.001)
    return False


def measure(app: QApplication, beat: Heartbeat, name: str, action: object, done: object, limit_s: float) -> Row:
    beat.start()
    spin(app, lambda: False, 0.05)
    action()  # type: ignore[operator]
    finished = spin(app, done, limit_s)
    spin(app, lambda: False, 0.1)
    gap = beat.stop()
    note = "" if finished else f"did not finish within {limit_s:.0f} s"
    return Row("stall", name, gap, None, "", f"<= {GOAL_MS:g} ms", gap <= GOAL_MS and finished, "ms", note)


def main() -> int:
    quick, as_json = parse_args()
    # Its own empty homes: the 20 MB edit below leaves drafts a later window or `shot` would restore.
    homes = tempfile.mkdtemp(prefix="bench-stall-")
    atexit.register(shutil.rmtree, homes, ignore_errors=True)
    os.environ.update(app_homes(homes))
    app = QApplication.instance() or QApplication([])
    from inspector.formats import load_path
    from inspector.formats.jsondoc import Edit
    from inspector.ui.document.document_view import DocumentView
    from inspector.ui.window.main_window import MainWindow

    window = MainWindow()
    window.resize(1100, 700)
    window.show()
    beat = Heartbeat()
    spin(app, lambda: False, 1.0)  # the first show's layout and the panels' start-up are not "idle"
    rows = [measure(app, beat, "idle loop (baseline)", lambda: None, lambda: True, 1)]

    big = str(payload("backtrace", quick))
    before = len(window.document_views())
    rows.append(
        measure(
            app,
            beat,
            f"open {os.path.basename(big)} in the window",
            lambda: window.open_paths([big]),
            lambda: len(window.document_views()) > before,
            300,
        )
    )

    big_view = window.document_views()[-1]
    editor = payload("editor", quick)
    doc = window.open_submission(load_path(str(editor)), editor.name, editor)
    # an open document: validated, and its text (made on the pool after the first paint, for the editor) ready
    spin(app, lambda: not doc.validating and doc.has_text, 120)
    first_thread = next(iter(doc.document.value.get("threads", {})), "0")
    edit = Edit("set", f"/threads/{first_thread}/name", "edited by bench")
    rows.append(
        measure(
            app,
            beat,
            f"edit {editor.name} (form edit + revalidate)",
            lambda: doc.apply_edits([edit], "bench edit"),
            lambda: not doc.validating,
            120,
        )
    )

    rows.append(send_scenario(app, beat, 4 if quick else 20))
    rows.append(receive_scenario(app, beat, 50 if quick else 300))
    # Last (its draft, the whole edited text written on the pool, would weigh on the rows above): the big document
    # made editable (Edit a Copy), its first validation over, its text never made (the raw view was not shown); a
    # form edit, until the edited text is made and the document validated again.
    big_doc = big_view.document
    spin(app, lambda: not big_doc.validating, 300)
    big_doc.allow_editing(in_place=False)
    spin(app, lambda: False, 0.2)
    first_big = next(iter(big_doc.document.value.get("threads", {})), "0")
    rows.append(
        measure(
            app,
            beat,
            f"edit {os.path.basename(big)} (form edit)",
            lambda: big_doc.apply_edits([Edit("set", f"/threads/{first_big}/name", "edited by bench")], "bench edit"),
            lambda: not big_doc.validating and big_doc.has_text,
            300,
        )
    )
    # then a second form edit, its text made now, of a thread in the middle (its value found 77 MB into the text)
    middle = str(len(big_doc.document.value.get("threads", {})) // 2)
    rows.append(
        measure(
            app,
            beat,
            f"edit {os.path.basename(big)}, text made",
            lambda: big_doc.apply_edits([Edit("set", f"/threads/{middle}/name", "edited again")], "bench edit"),
            lambda: not big_doc.validating and big_doc.has_text,
            300,
        )
    )

    if not any(isinstance(v, DocumentView) for v in window.document_views()):
        rows.append(Row("stall", "window opened no document", 0, ok=False))
    emit(rows, as_json)
    return 0


def send_scenario(app: QApplication, beat: Heartbeat, megabytes: int) -> Row:
    """Send to a bare server in another process (the receiver's own parsing is the receive scenario)."""
    import subprocess

    from bench_send import SERVER, free_port

    from inspector.formats.base import RequestSpec
    from inspector.net.client import send_request
    from inspector.ui.workers import run_task

    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and "READY" in server.stdout.readline()
        body = b'{"x":"' + b"a" * (megabytes * 2**20) + b'"}'
        spec = RequestSpec("POST", f"http://127.0.0.1:{port}/api/1/item/", [("Content-Type", "application/json")], body)
        result: list[object] = []
        holder: list[object] = []

        def start() -> None:
            task = run_task(send_request, spec)
            task.signals.result.connect(result.append)
            task.signals.error.connect(result.append)
            holder.append(task)

        what = f"send {megabytes} MB to 127.0.0.1 (thread pool)"
        return measure(app, beat, what, start, lambda: bool(result), 120)
    finally:
        server.terminate()
        server.wait(10)


def receive_scenario(app: QApplication, beat: Heartbeat, count: int) -> Row:
    import httpx

    from inspector.net.receiver import ReceiverThread
    from inspector.net.store import CaptureStore

    corpus = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "corpus", "rollbar")
    first = next(f for f in sorted(os.listdir(corpus)) if f.endswith(".json"))
    with open(os.path.join(corpus, first), "rb") as fh:
        body = fh.read()
    with tempfile.TemporaryDirectory() as tmp:
        server = ReceiverThread(CaptureStore(tmp))
        port = server.start()
        sent: list[int] = []

        def blast() -> None:
            with httpx.Client(timeout=10) as client:
                for _ in range(count):
                    client.post(
                        f"http://127.0.0.1:{port}/api/1/item/",
                        content=body,
                        headers={"X-Rollbar-Access-Token": "bench-token", "Content-Type": "application/json"},
                    )
                    sent.append(1)

        thread = threading.Thread(target=blast, daemon=True)
        try:
            return measure(
                app,
                beat,
                f"receive {count} Rollbar items (receiver thread)",
                thread.start,
                lambda: len(sent) >= count,
                120,
            )
        finally:
            thread.join(30)
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
