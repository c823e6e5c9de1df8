"""SIGKILL in the middle of a save and in the middle of receiving: the next start loses nothing that was stored.

A child process does the work (the real OpenDocument.save; the real receiver on 127.0.0.1) and is killed with
SIGKILL at an unlucky moment. Afterwards the files must be consistent: a saved document is the whole old or the
whole new version (never a half-written file read back as a payload), and every request the receiver answered
with 2xx is on disk and loads.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from inspector.formats import load_bytes, load_path
from inspector.net.store import RAW_SUFFIX, TMP_SUFFIX, CaptureStore

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
ROLLBAR = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json"

SAVER = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from PySide6.QtGui import QGuiApplication
app = QGuiApplication([])
from inspector.formats import load_bytes
from inspector.ui.document.open_document import OpenDocument
target = Path(sys.argv[2])
versions = [Path(p).read_bytes() for p in sys.argv[3:5]]
docs = [OpenDocument(load_bytes(v, source_name="v.json")) for v in versions]
for i in range(10_000):
    docs[i % 2].save(target)
    print(f"saved {i}", flush=True)
"""

RECEIVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from inspector.net.receiver import ReceiverConfig, ReceiverThread
from inspector.net.store import CaptureStore
server = ReceiverThread(CaptureStore(sys.argv[2]), ReceiverConfig(host="127.0.0.1", port=0))
print(f"port {server.start()}", flush=True)
time.sleep(120)
"""


def _big_version(tmp: Path, name: str, marker: str, frames: int) -> Path:
    value = json.loads(ROLLBAR.read_bytes())
    chain = value["data"]["body"]["trace_chain"]
    chain[0]["frames"] = chain[0]["frames"] * frames
    value["data"]["custom"] = {"version": marker}
    path = tmp / name
    path.write_bytes(json.dumps(value, indent=1).encode())
    return path


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)


def test_sigkill_during_save_leaves_the_old_or_the_new_file(tmp_path: Path) -> None:
    a = _big_version(tmp_path, "a.json", "A", 2000)
    b = _big_version(tmp_path, "b.json", "B", 2600)
    versions = {a.read_bytes(), b.read_bytes()}
    target = tmp_path / "out" / "doc.json"
    target.parent.mkdir()
    rng = random.Random(1234)
    for round_ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(ROOT), str(target), str(a), str(b)], stdout=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None
            seen = 0
            deadline = time.monotonic() + 60
            while seen < 2 + round_ and time.monotonic() < deadline:
                line = proc.stdout.readline()
                assert line.startswith("saved"), line
                seen += 1
            time.sleep(rng.uniform(0, 0.05))  # somewhere inside the next save
        finally:
            _kill(proc)
        data = target.read_bytes()
        assert data in versions, f"round {round_}: a half-written file ({len(data)} bytes) is read back"
        assert load_path(str(target)).format == "rollbar"
        # leftovers of the interrupted save are hidden temp files, never taken for the document
        for leftover in target.parent.iterdir():
            assert leftover == target or (leftover.name.startswith(".") and leftover.name.endswith(".tmp"))


def test_sigkill_during_receive_keeps_every_answered_request(tmp_path: Path) -> None:
    store_dir = tmp_path / "captures"
    proc = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, str(ROOT), str(store_dir)], stdout=subprocess.PIPE, text=True
    )
    answered: list[str] = []
    stop = threading.Event()
    template = json.loads(ROLLBAR.read_bytes())

    def sender() -> None:
        with httpx.Client(timeout=5) as client:
            for _ in range(400):  # bounded in count; the kill ends it sooner
                if stop.is_set():
                    return
                marker = uuid.uuid4().hex
                template_copy = json.loads(json.dumps(template))
                template_copy["data"]["uuid"] = marker
                try:
                    reply = client.post(
                        url,
                        content=json.dumps(template_copy).encode(),
                        headers={"X-Rollbar-Access-Token": "k" * 32, "Content-Type": "application/json"},
                    )
                except httpx.HTTPError:
                    return
                if reply.status_code == 200:
                    answered.append(marker)

    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("port "), line
        url = f"http://127.0.0.1:{int(line.split()[1])}/api/1/item/"
        threads = [threading.Thread(target=sender, daemon=True) for _ in range(3)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(answered) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(answered) >= 40, "the receiver did not answer"
    finally:
        _kill(proc)  # while the senders are still posting
        stop.set()
    for t in threads:
        t.join(10)
    records = CaptureStore(store_dir).load()
    stored = {}
    for record in records:
        raw = CaptureStore(store_dir).read_raw(record.id)
        sub = load_bytes(raw, source_name=f"{record.id}.request.http")  # no half-written request among them
        stored[sub.document.value["data"]["uuid"]] = record.id  # type: ignore[union-attr]
    missing = [m for m in answered if m not in stored]
    assert not missing, f"{len(missing)} of {len(answered)} answered requests are not on disk"
    # every complete raw file is listed (recovered if its record was cut off); temp files never are
    raws = [p for p in store_dir.iterdir() if p.name.endswith(RAW_SUFFIX) and not p.name.endswith(TMP_SUFFIX)]
    assert len(records) == len(raws)
