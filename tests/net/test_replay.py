"""The replay engine against real servers on 127.0.0.1: the local receiver (as the target, and its inbox as the
source) and a tiny server answering 429 with Retry-After before 200."""

from __future__ import annotations

import itertools
import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from inspector.net.profiles import Profile, ProfileStore
from inspector.net.receiver import ReceiverConfig, ReceiverThread
from inspector.net.store import CaptureRecord, CaptureStore
from inspector.services.replay import (
    RESULTS_NAME,
    ItemResult,
    ReplayControl,
    folder_items,
    inbox_items,
    replay,
)
from inspector.services.sending import Plan, send_path
from tests.conftest import CORPUS

ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"
TOKEN = "aaaabbbbccccddddeeeeffff00001111"


class Receiver:
    """The real receiver on its own thread, counting the captures it stored."""

    def __init__(self, root: Path) -> None:
        self.store = CaptureStore(root)
        self.records: list[CaptureRecord] = []
        self.times: list[float] = []
        self._cond = threading.Condition()
        self._seen: set[str] = set()
        # on_pending: right after the answer (on_capture follows once the second stage has validated it)
        self.thread = ReceiverThread(
            self.store, ReceiverConfig(host="127.0.0.1", port=0), on_capture=self._captured, on_pending=self._captured
        )
        self.thread.start()
        self.url = self.thread.url

    def _captured(self, record: CaptureRecord) -> None:
        with self._cond:
            if record.id in self._seen:
                return
            self._seen.add(record.id)
            self.records.append(record)
            self.times.append(time.monotonic())
            self._cond.notify_all()

    @property
    def count(self) -> int:
        with self._cond:
            return len(self.records)


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    rx = Receiver(tmp_path / "inbox")
    yield rx
    rx.thread.stop()


ACCEPTED = b'{"err":0,"result":{"id":null,"uuid":"8a2a5d0e-0000-4000-8000-00000000000a"}}'


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: TooBusy

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.hits += 1
            busy = self.server.hits <= self.server.busy_for
        if busy:
            status, body, extra = 429, b'{"err":1,"message":"rate limited"}', [("Retry-After", self.server.retry_after)]
        else:
            status, body, extra = 200, ACCEPTED, []
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in extra:
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class TooBusy(ThreadingHTTPServer):
    """429 with ``Retry-After`` for the first ``busy_for`` requests, then 200 (Rollbar-shaped answers)."""

    daemon_threads = True

    def __init__(self, busy_for: int, retry_after: str = "1") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.busy_for, self.retry_after, self.hits = busy_for, retry_after, 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def make_plan(base_url: str, *, attempts: int = 3) -> Plan:
    profile = Profile("local", kind="rollbar", base_url=base_url, max_attempts=attempts)
    ProfileStore().put(profile, secret=TOKEN)
    return Plan(profile, None, None, None, None, profile.options(), False)


def sender(plan: Plan, control: ReplayControl | None = None) -> Callable[[Path], dict]:
    return lambda path: send_path(path, plan, format="rollbar", cancel=control)


def make_folder(tmp_path: Path, count: int, *, broken: bool = False) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for n in range(count):
        shutil.copy(ROLLBAR, folder / f"item{n}.json")
    if broken:
        (folder / "broken.json").write_text("{ not json")
    return folder


def read_log(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / RESULTS_NAME).read_text().splitlines()]


def test_folder_to_receiver_with_log(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 3, broken=True)
    (folder / RESULTS_NAME).write_text("old\n")
    seen: list[ItemResult] = []
    items = folder_items(folder)
    assert [p.name for p in items] == ["broken.json", "item0.json", "item1.json", "item2.json"]
    done = replay(items, sender(make_plan(receiver.url)), log_path=folder / RESULTS_NAME, on_item=seen.append)
    assert receiver.count == 3
    assert [r.code for r in seen] == [2, 0, 0, 0] and done.worst == 2 and not done.cancelled
    assert done.counts == {"accepted": 3, "http_error": 0, "failed": 1}
    lines = read_log(folder)
    assert len(lines) == 4  # one line per item, the old log replaced
    assert [line["status"] for line in lines] == [None, 200, 200, 200]
    assert lines[0]["error"] == "bad input" and lines[1]["ok"] is True and lines[1]["failure"] is None
    assert set(lines[1]) == {"file", "ok", "status", "summary", "id", "elapsed_ms", "attempts", "failure", "time"}
    assert TOKEN not in (folder / RESULTS_NAME).read_text()
    assert done.text().startswith("4 payloads: 3 accepted")


def test_rate_limit_spaces_sends(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 5)
    starts: list[float] = []
    begin = time.monotonic()
    done = replay(
        folder_items(folder),
        sender(make_plan(receiver.url)),
        rate=10.0,
        on_start=lambda _i, _p: starts.append(time.monotonic()),
    )
    elapsed = time.monotonic() - begin
    assert done.counts["accepted"] == 5 and receiver.count == 5
    assert elapsed >= 0.38  # 5 items at 10/s: the 5th starts 0.4 s after the first
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.09, gaps


def test_no_rate_is_not_paced(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 5)
    waits: list[float] = []

    class Counting(ReplayControl):
        def sleep(self, seconds: float) -> bool:
            waits.append(seconds)
            return super().sleep(seconds)

    done = replay(folder_items(folder), sender(make_plan(receiver.url)), control=Counting())
    assert done.counts["accepted"] == 5
    assert waits == []  # no pacing wait at all without a rate (the paced test above counts its waits' length)


def test_retries_on_429_with_retry_after(tmp_path: Path) -> None:
    server = TooBusy(busy_for=1, retry_after="1")
    try:
        folder = make_folder(tmp_path, 2)
        begin = time.monotonic()
        done = replay(folder_items(folder), sender(make_plan(server.url)), log_path=folder / RESULTS_NAME)
        assert time.monotonic() - begin >= 0.95  # waited as the server asked
        assert server.hits == 3
        first, second = done.results
        assert first.code == 0 and first.line["attempts"] == 2 and first.line["status"] == 200
        assert first.full is not None and "429, waited 1 s" in first.full["retries"][0]
        assert second.line["attempts"] == 1
        assert [line["attempts"] for line in read_log(folder)] == [2, 1]
    finally:
        server.stop()


def test_retries_exhausted_is_http_error(tmp_path: Path) -> None:
    server = TooBusy(busy_for=99, retry_after="0")
    try:
        folder = make_folder(tmp_path, 1)
        done = replay(folder_items(folder), sender(make_plan(server.url, attempts=2)), log_path=folder / RESULTS_NAME)
        assert server.hits == 2 and done.worst == 1
        assert read_log(folder)[0]["status"] == 429
    finally:
        server.stop()


def test_pause_really_pauses_then_resume(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 4)
    control = ReplayControl()
    paused_at = threading.Event()

    def after(result: ItemResult) -> None:
        if result.index == 1:
            control.pause()
            paused_at.set()

    box: dict = {}
    worker = threading.Thread(
        target=lambda: box.setdefault(
            "done",
            replay(
                folder_items(folder),
                sender(make_plan(receiver.url), control),
                rate=50.0,
                control=control,
                on_item=after,
                log_path=folder / RESULTS_NAME,
            ),
        )
    )
    worker.start()
    assert paused_at.wait(10)
    assert control.paused
    time.sleep(0.5)  # paused: nothing may arrive meanwhile
    assert receiver.count == 2 and worker.is_alive()
    control.resume()
    worker.join(10)
    assert not worker.is_alive()
    assert receiver.count == 4 and len(read_log(folder)) == 4
    assert receiver.times[2] - receiver.times[1] >= 0.45
    assert box["done"].counts["accepted"] == 4 and not box["done"].cancelled


def test_cancel_stops(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 5)
    control = ReplayControl()

    def after(result: ItemResult) -> None:
        if result.index == 1:
            control.cancel()

    done = replay(
        folder_items(folder),
        sender(make_plan(receiver.url), control),
        control=control,
        on_item=after,
        log_path=folder / RESULTS_NAME,
    )
    assert done.cancelled and len(done.results) == 2 and receiver.count == 2
    assert len(read_log(folder)) == 2
    assert done.text().startswith("2 of 5 payloads (cancelled)")


def test_cancel_while_paused_and_during_retry_wait(tmp_path: Path) -> None:
    server = TooBusy(busy_for=99, retry_after="30")
    try:
        folder = make_folder(tmp_path, 3)
        control = ReplayControl()
        timer = threading.Timer(0.3, control.cancel)
        timer.start()
        done = replay(
            folder_items(folder),
            sender(make_plan(server.url), control),
            control=control,
            log_path=folder / RESULTS_NAME,
        )
        # one hit: the 30 s wait the server asked for was cut short (after it, the retry would have hit again)
        assert done.cancelled and len(done.results) == 1 and server.hits == 1
        assert done.results[0].line["failure"] == "cancelled"
    finally:
        server.stop()
    paused = ReplayControl()
    paused.pause()
    threading.Timer(0.2, paused.cancel).start()
    done = replay([ROLLBAR], lambda _p: pytest.fail("sent while paused"), control=paused)
    assert done.cancelled and done.results == []


def test_replay_the_receiver_inbox(receiver: Receiver, tmp_path: Path) -> None:
    folder = make_folder(tmp_path, 3)
    replay(folder_items(folder), sender(make_plan(receiver.url)))
    assert receiver.count == 3
    captures = inbox_items(receiver.store.root)
    assert len(captures) == 3 and all(p.name.endswith(".request.http") for p in captures)
    second = Receiver(tmp_path / "inbox2")
    try:
        log = receiver.store.root / RESULTS_NAME
        done = replay(captures, lambda p: send_path(p, make_plan(second.url)), log_path=log)
        assert done.counts["accepted"] == 3 and second.count == 3
        assert len(log.read_text().splitlines()) == 3
        assert len(receiver.store.load()) == 3  # the log does not disturb the inbox
        # the inbox holds placeholders, not secrets: the profile's token was sent again
        assert [r["last4"] for r in second.records[0].redacted] == [TOKEN[-4:]]
    finally:
        second.thread.stop()


def test_default_inbox_is_the_receivers(tmp_path: Path) -> None:
    from inspector.net.store import default_store_dir

    assert inbox_items() == []
    assert default_store_dir().is_dir()
