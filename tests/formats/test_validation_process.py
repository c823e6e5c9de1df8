"""Big documents are validated in a child process: the same problems as in this process, cancellable, and a
failure is reported (the window then validates in-process)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.formats import load_bytes, validate
from inspector.formats import validation_process as vp
from tests.conftest import corpus_files

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize(
    "path",
    [
        CORPUS / "rollbar" / "pyrollbar-1.5.0_trace.request.http",
        *[p for p in corpus_files("backtrace", "appcenter") if p.suffix == ".json" and "INVALID" not in p.name][:4],
    ],
    ids=lambda p: p.name,
)
def test_the_child_finds_what_this_process_finds(path: Path) -> None:
    data = path.read_bytes()
    submission = load_bytes(data, source_name=path.name)
    expected = validate(submission)
    got = vp.validate_in_child(data, format=submission.format, source_name=path.name)
    assert got == expected


def test_problems_of_a_broken_payload_come_back(tmp_path: Path) -> None:
    data = b'{"access_token": 5, "data": {"environment": "x", "body": {"message": {"body": 7}}}}'
    expected = validate(load_bytes(data, format="rollbar"))
    assert expected  # the test needs problems to compare
    assert vp.validate_in_child(data, format="rollbar", source_name=None) == expected


def test_an_unreadable_input_is_a_validation_process_error() -> None:
    with pytest.raises(vp.ValidationProcessError, match="cannot validate"):
        vp.validate_in_child(b"\x00\x01 not a payload", format="rollbar", source_name="x.bin")


def test_a_cancelled_validation_kills_the_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    started: list[object] = []
    real_popen = vp.subprocess.Popen

    def popen(*args: object, **kwargs: object) -> object:
        proc = real_popen(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(vp.subprocess, "Popen", popen)
    # a child that takes its time: it sleeps before doing anything
    monkeypatch.setattr(vp, "child_command", lambda rest: [vp.sys.executable, "-c", "import time; time.sleep(30)"])
    begin = time.monotonic()
    with pytest.raises(vp.Cancelled):
        vp.validate_in_child(
            b"{}", format="rollbar", source_name=None, cancelled=lambda: time.monotonic() - begin > 0.3
        )
    assert started and started[0].poll() is not None  # killed and reaped (not the 30 s sleep)


def test_a_child_that_cannot_start_is_a_validation_process_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vp, "child_command", lambda rest: [os.path.join(os.sep, "no", "such", "python")])
    with pytest.raises(vp.ValidationProcessError, match="cannot start"):
        vp.validate_in_child(b"{}", format="rollbar", source_name=None)


def test_the_command_line_is_the_child_in_the_frozen_app(tmp_path: Path) -> None:
    source = CORPUS / "rollbar" / "pyrollbar-1.5.0_trace.request.http"
    answer = tmp_path / "problems.json"
    assert main(["--validation-process", str(source), str(answer), "rollbar", source.name]) == 0
    import orjson

    expected = [p.as_dict() for p in validate(load_bytes(source.read_bytes(), source_name=source.name))]
    assert orjson.loads(answer.read_bytes()) == expected


def test_the_payload_copy_leaves_the_disk_once_the_child_has_read_it(tmp_path: Path) -> None:
    payload = b'{"access_token": "secret-token", "data": {"environment": "x", "body": {"message": {"body": "m"}}}}'
    folder = tmp_path / (vp.FOLDER_PREFIX + "x")
    folder.mkdir()
    source, answer = folder / "input", folder / "problems.json"
    source.write_bytes(payload)
    assert vp.child_main([str(source), str(answer), "rollbar", ""]) == 0
    assert not source.exists() and answer.exists()
    assert b"secret-token" not in answer.read_bytes()
    # a file named on a command line is the user's: read, never removed
    mine = tmp_path / "mine.json"
    mine.write_bytes(payload)
    assert vp.child_main([str(mine), str(tmp_path / "out.json"), "rollbar", ""]) == 0
    assert mine.read_bytes() == payload


PARENT = r"""
import sys
sys.path.insert(0, sys.argv[1])
from inspector.formats import validation_process as vp
# the real hand-over, with a child that holds the descriptors and waits (killed with its parent below)
vp.child_command = lambda rest: [sys.executable, "-c", "import sys, time; print(sys.argv, flush=True); time.sleep(120)",
                                 *rest]
print("validating", flush=True)
vp.validate_in_child(b'{"access_token": "' + sys.argv[2].encode() + b'", "data": {}}', format="rollbar",
                     source_name="x.json")
"""


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs /proc (Linux)")
def test_no_payload_copy_outlives_the_app_and_the_child_killed_together(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    token = "tok-" + os.urandom(8).hex()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = dict(os.environ, TMPDIR=str(scratch))
    app = subprocess.Popen(
        [sys.executable, "-c", PARENT, str(Path(__file__).resolve().parents[2]), token],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None and app.stdout.readline().strip() == "validating"
    deadline = time.monotonic() + 60
    while not _children(app.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    (child,) = _children(app.pid)
    # while both run: the copy is open in the child, and has no name anywhere in the temporary folder
    held = [os.readlink(f"/proc/{child}/fd/{fd}") for fd in os.listdir(f"/proc/{child}/fd")]
    assert any("(deleted)" in link or link.startswith("/memfd") or str(scratch) in link for link in held)
    assert list(scratch.rglob("*")) == []
    for pid in (app.pid, child):
        os.kill(pid, signal.SIGKILL)
    app.wait()
    deadline = time.monotonic() + 30
    while Path(f"/proc/{child}").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(scratch.rglob("*")) == []  # nothing left to find, let alone a token


def test_stale_folders_of_dead_processes_are_swept(tmp_path: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{vp.FOLDER_PREFIX}{gone.stdout.strip()}-abc"
    dead.mkdir()
    (dead / "input").write_bytes(b"token")
    alive = tmp_path / f"{vp.FOLDER_PREFIX}{os.getppid()}-abc"
    alive.mkdir()
    assert vp.sweep_stale_folders(str(tmp_path)) == 1
    assert not dead.exists() and alive.exists()
