"""Every file the program writes goes through :mod:`inspector.atomic`: SIGKILL mid-write never tears a file.

``redact -o``, ``convert -o`` and ``export --as bundle -o`` run as real subprocesses on a big payload and are
killed with SIGKILL while they write (the moment the temporary file appears next to the target, and at spread
delays). Afterwards the target is the whole old file or the whole new one. Static checks keep the writers on the
one helper.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from inspector import atomic

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
BIG_FRAMES = 20_000


def _big_backtrace(folder: Path) -> Path:
    """A Backtrace report of ~10 MB (many frames, a token-like attribute), slow enough to be caught writing."""
    source = json.loads((CORPUS / "backtrace" / "backtracepython-0.4.3_exception_3-threads.json").read_text())
    thread = next(iter(source["threads"].values()))
    frame = thread["stack"][0]
    thread["stack"] = [dict(frame, line=str(i)) for i in range(BIG_FRAMES)]
    source["attributes"]["api_token"] = "f" * 64
    path = folder / "big.json"
    path.write_text(json.dumps(source))
    return path


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "inspector", *args]


def _complete(kind: str, data: bytes) -> bool:
    if kind == "bundle":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                return zf.testzip() is None and "NOTES.txt" in zf.namelist()
        except zipfile.BadZipFile:
            return False
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


def _same_output(kind: str, data: bytes, new: bytes) -> bool:
    """``data`` is a complete output like ``new`` (runs differ in time stamps and generated ids only)."""
    if kind != "bundle":
        return _complete(kind, data) and json.loads(data).keys() == json.loads(new).keys()
    if not _complete(kind, data):
        return False
    with zipfile.ZipFile(io.BytesIO(data)) as got, zipfile.ZipFile(io.BytesIO(new)) as want:
        return got.namelist() == want.namelist() and got.read("payload.json") == want.read("payload.json")


COMMANDS = {
    "redact": lambda src, out: _cli("redact", str(src), "-o", str(out)),
    "convert": lambda src, out: _cli("convert", "--to", "rollbar", str(src), "-o", str(out)),
    "bundle": lambda src, out: _cli("export", "--as", "bundle", str(src), "-o", str(out)),
}


@pytest.mark.parametrize("kind", sorted(COMMANDS))
def test_sigkill_while_writing_leaves_the_old_file_or_the_new_one(tmp_path: Path, kind: str) -> None:
    source = _big_backtrace(tmp_path)
    out = tmp_path / ("out.zip" if kind == "bundle" else "out.json")
    old = b'{"old": "content that must survive"}'
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # One run to completion: the new file is complete, and how long a run takes spreads the kill delays.
    out.write_bytes(old)
    begin = time.monotonic()
    done = subprocess.run(COMMANDS[kind](source, out), env=env, capture_output=True, timeout=300)
    full = time.monotonic() - begin
    assert done.returncode == 0, done.stderr.decode()
    new = out.read_bytes()
    assert _complete(kind, new) and new != old
    kills = 0
    caught_writing = 0
    for attempt in range(4):
        out.write_bytes(old)
        proc = subprocess.Popen(
            COMMANDS[kind](source, out), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if attempt < 2:  # the moment a temporary file appears next to the target: mid-write
            deadline = time.monotonic() + 300
            while proc.poll() is None and time.monotonic() < deadline:
                if any(p.name.endswith(atomic.TMP_SUFFIX) for p in tmp_path.iterdir()):
                    caught_writing += 1
                    break
                time.sleep(0.001)
        else:  # spread over the run
            time.sleep(full * (attempt - 1) / 3)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        after = out.read_bytes()
        assert after == old or _same_output(kind, after, new), f"{kind}: a torn file of {len(after)} bytes"
        for leftover in tmp_path.glob(f"*{atomic.TMP_SUFFIX}"):
            leftover.unlink()
    assert kills >= 1 and caught_writing >= 1


def test_a_replaced_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path: Path) -> None:
    kept = tmp_path / "kept.txt"
    kept.write_text("old")
    kept.chmod(0o640)
    atomic.write_bytes(kept, b"new")
    assert kept.read_bytes() == b"new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    previous = os.umask(0o022)
    try:
        atomic.write_text(fresh, "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    private = tmp_path / "private.json"
    atomic.write_bytes(private, b"{}", mode=0o600)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "t.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.replacing(target) as handle:
        handle.write(b"partial")
        raise RuntimeError("the producer failed")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.bin"]


def test_a_long_name_and_a_symlink(tmp_path: Path) -> None:
    long_name = tmp_path / ("n" * 250 + ".json")
    atomic.write_bytes(long_name, b"1")  # the temporary name stays under NAME_MAX
    assert long_name.read_bytes() == b"1"
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic.write_bytes(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


#: Writing a file outside inspector/atomic.py: these spellings only (reading is fine).
_WRITERS = re.compile(
    r"(?<!atomic)\.write_(bytes|text)\(|(?<![\w.])open\([^)]*[\"'][wax]b?[\"']|mkstemp\(|os\.replace\("
    r"|ZipFile\([^)]*[\"']w[\"']|tarfile\.open\([^)]*[\"']w"
)
#: Files that write something other than a document: logs appended line by line, the receiver's own group commit on
#: top of the helper.
_ALLOWED = {
    "inspector/atomic.py",
    "inspector/services/replay.py",  # the replay log: appended as it goes, one JSON line per item
    "inspector/net/store.py",
    "inspector/net/journal.py",
}


def test_every_writer_uses_the_one_atomic_helper() -> None:
    offenders = []
    for path in sorted((ROOT / "inspector").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in _ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            if _WRITERS.search(code) and "replacing(" not in code:  # a zip written into atomic.replacing()
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert offenders == [], "write through inspector.atomic:\n" + "\n".join(offenders)


def test_write_batch_renames_all_or_none(tmp_path: Path) -> None:
    """The group commit: every file whole after it returns; when one cannot be written, none is renamed."""
    first, second = tmp_path / "a.raw", tmp_path / "a.json"
    first.write_bytes(b"old")
    atomic.write_batch([(first, b"new raw"), (second, b"{}")], mode=0o600)
    assert (first.read_bytes(), second.read_bytes()) == (b"new raw", b"{}")
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
    with pytest.raises(OSError):
        atomic.write_batch([(first, b"newer"), (tmp_path / "missing" / "b.json", b"{}")])
    assert first.read_bytes() == b"new raw"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(atomic.TMP_SUFFIX)]
