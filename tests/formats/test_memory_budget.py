"""The memory ceiling: an input whose parse needs more memory than the process can get is refused first, with one
clear line and exit 2 (never a MemoryError traceback or a swap storm); one that fits opens as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.formats import memory_budget
from inspector.formats.memory_budget import CHECK_FROM_BYTES, estimate_json_bytes, json_values

ROOT = Path(__file__).resolve().parents[2]
#: Run the real CLI in a process whose address space is capped just above what it uses before reading the input.
LIMITED = r"""
import os, resource, sys
sys.path.insert(0, sys.argv[1])
from inspector import cli
import inspector.formats, inspector.formats.jsondoc, inspector.formats.envelope, inspector.formats.appcenter
with open("/proc/self/statm") as fh:
    used = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
room = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (used + room, used + room))
sys.exit(cli.main(["validate", sys.argv[2]]))
"""

needs_proc = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="Linux /proc and RLIMIT_AS")


def _empties(path: Path, n: int) -> Path:
    path.write_text(json.dumps({"logs": [{}] * n}))
    return path


def _run(path: Path, room: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LIMITED, str(ROOT), str(path), str(room)], capture_output=True, text=True, timeout=600
    )


@needs_proc
def test_a_document_that_cannot_fit_is_refused_in_one_line(tmp_path: Path) -> None:
    source = _empties(tmp_path / "empties.json", 3_000_000)  # 12 MB of text, ~230 MB of Python objects
    assert source.stat().st_size > CHECK_FROM_BYTES
    done = _run(source, 150 * 2**20)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = (done.stdout + done.stderr).strip().splitlines()  # validate says it as "PATH: message"
    assert len(lines) == 1 and "needs about" in lines[0] and "memory" in lines[0], lines


@needs_proc
def test_a_document_that_fits_still_opens(tmp_path: Path) -> None:
    source = tmp_path / "few.json"  # as big, but a few long values: it needs about twice its size
    source.write_text(json.dumps({"logs": [{"type": "handledError", "message": "x" * 12_000_000}]}))
    done = _run(source, estimate_json_bytes(source.read_bytes()) + 200 * 2**20)
    assert done.returncode in (0, 1), done.stderr[-2000:]  # validated (1: the empty logs have errors)
    assert "needs about" not in done.stdout + done.stderr


PEAK = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from inspector.formats import load_bytes
from inspector.formats.memory_budget import estimate_json_bytes
shape, n = sys.argv[2], int(sys.argv[3])
# the text is made as bytes (building the value first would raise the peak before the measure starts)
items = {"empties": b"{}", "ints": b"7", "strings": b'"' + b"x" * 1000 + b'"',
         "frames": b'{"methodName": "f", "lineNumber": 12, "fileName": "a.py"}'}[shape]
count = n // 100 if shape == "strings" else n
body = b'{"logs": [' + b", ".join([items] * count) + b"]}"
def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize()
before = resident()
submission = load_bytes(body, source_name="x.json")
after = resident()
print(len(body), after - before, estimate_json_bytes(body))
"""


@needs_proc
@pytest.mark.parametrize("shape", ["empties", "ints", "frames", "strings"])
def test_the_estimate_covers_what_the_parse_takes(shape: str) -> None:
    """Measured in a fresh process (resident memory with the document open): the estimate is above what loading
    really takes, for the worst
    shapes (many tiny values) and the mildest (long strings)."""
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(ROOT), shape, "400000"], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    size, grown, estimate = map(int, done.stdout.split())
    assert grown < estimate, (shape, size, grown, estimate)


def test_the_override_says_how_much_is_free(tmp_path: Path) -> None:
    source = _empties(tmp_path / "e.json", 3_000_000)
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "validate", str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, PYTHONPATH=str(ROOT), CRASH_INSPECTOR_MEMORY_AVAILABLE="1000000"),
    )
    assert done.returncode == 2 and "only 976.6 KB is available" in done.stdout + done.stderr


@pytest.mark.parametrize("step", [1, 3, 7, 64, 1 << 20])
def test_the_counting_that_stops_early_decides_as_the_whole_count(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """``fits`` counts only part of the text when the answer is already known (plenty of room, or too many values
    already): its answer is the whole estimate's for every room around the estimate, in any step of counting."""
    monkeypatch.setattr(memory_budget, "COUNT_STEP", step)
    bodies = [
        b"",
        b"{}",
        b'{"logs": [' + b", ".join([b'{"a": 1, "b": [1,2,3]}'] * 40) + b"]}",
        b'{"s": "' + b"x" * 300 + b'"}',
        b"[" + b",".join([b"7"] * 200) + b"]",
        b'{"t": "::::,,,,"}' + b" " * 50,
    ]
    for body in bodies:
        estimate = estimate_json_bytes(body)
        separators = json_values(body) - 1
        for room in {0, estimate - 1, estimate, estimate + 1, estimate + 10**9, estimate - 72, estimate + 72}:
            assert memory_budget.fits(body, room) == (estimate <= room), (body[:40], room, estimate, separators)


def test_with_plenty_of_room_the_text_is_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even one value per byte fits: nothing to count (the check costs nothing for the usual big file)."""
    calls: list[int] = []

    class Counting(bytes):
        def count(self, *args: object) -> int:  # type: ignore[override]
            calls.append(1)
            return super().count(*args)  # type: ignore[arg-type]

    body = Counting(b"[" + b",".join([b"7"] * 1000) + b"]")
    assert memory_budget.fits(body, 100 * len(body) + 2**30)
    assert calls == []
    assert not memory_budget.fits(body, estimate_json_bytes(body) - 1)
    assert calls  # a tight room is counted
