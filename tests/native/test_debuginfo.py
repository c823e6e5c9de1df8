"""Naming the frames of reports with binary images (Apple reports) from .sym files and, with the ``native`` extra
(symbolic), from ELF/DWARF debug files compiled here with gcc."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from inspector.native.apply import symbolicate_report
from inspector.native.debuginfo import DebugFileStore, available, breakpad_id, with_debug_files
from inspector.native.store import SymbolStore
from inspector.report import Binary, Frame, Report, Summary, Thread
from tests.conftest import CORPUS

SYMBOLS = CORPUS / "symbols"


def _report(binary: Binary, addresses: list[int]) -> Report:
    frames = [Frame(module=binary.name, address=a) for a in addresses]
    return Report(
        format="apple",
        kind="crash",
        summary=Summary(),
        binaries=[binary],
        threads=[Thread(id="0", name=None, frames=frames, crashed=True)],
    )


def test_apple_style_report_named_from_a_breakpad_store() -> None:
    """A report that lists crash-client's frames by address and its image UUID (as a .crash does) gets the names
    minidump-stackwalk gives the same addresses."""
    expected = json.loads((CORPUS / "minidump/expected/rust-minidump_macos-x64_segv.json").read_text())
    frames = expected["crashing_thread"]["frames"][:7]
    base = 0x102A54000
    # Return addresses as a report lists them: minidump-stackwalk's "offset" is the call (return address - 1).
    addresses = [int(f["offset"], 16) + (1 if i else 0) for i, f in enumerate(frames)]
    binary = Binary(
        name="crash-client",
        start=base,
        end=base + 0xC4000,
        size=0xC4000,
        debug_id="509c0610-9498-36f7-b70b-d88bcf03e540",
    )
    named = symbolicate_report(_report(binary, addresses), SymbolStore(sources=[str(SYMBOLS)]))
    physical = [f for f in named.threads[0].frames if f.trust != "inlined"]
    assert [f.function for f in physical] == [f["function"] for f in frames]
    assert [(f.file, f.line) for f in physical] == [(f["file"], f["line"]) for f in frames]
    inlined = [f.function for f in named.threads[0].frames[:1]]
    assert inlined == ["core::ptr::write_volatile::<u8>"]  # inlined calls come first, as their own rows
    assert named.frame_count == len(named.threads[0].frames)


def test_nothing_found_keeps_the_same_report() -> None:
    binary = Binary(name="other", start=0x1000, end=0x2000, size=0x1000, debug_id="0" * 31 + "a")
    report = _report(binary, [0x1100])
    assert symbolicate_report(report, SymbolStore(sources=[str(SYMBOLS)])) is report


def test_breakpad_ids() -> None:
    assert breakpad_id("509c0610-9498-36f7-b70b-d88bcf03e540") == "509C0610949836F7B70BD88BCF03E5400"
    assert breakpad_id("5A9832E5287241C1838ED98914E9B7FF1") == "5A9832E5287241C1838ED98914E9B7FF1"


@pytest.fixture(scope="module")
def elf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not available():
        pytest.skip("the native extra (symbolic) is not installed: pip install 'crash-inspector[native]'")
    if shutil.which("gcc") is None:
        pytest.skip("no gcc to build a binary with DWARF")
    folder = tmp_path_factory.mktemp("elf")
    (folder / "demo.c").write_text(
        "extern int sink(int);\n"
        "static inline __attribute__((always_inline)) int helper(int x) { return sink(x * 3 + 1); }\n"
        "__attribute__((noinline)) int compute(int v) {\n"
        "    int total = 0;\n"
        "    for (int i = 0; i < v; i++) total += helper(i);\n"
        "    return total;\n"
        "}\n"
        "int sink(int x) { return x ^ 7; }\n"
        "int main(int argc, char **argv) { return compute(argc * 5); }\n"
    )
    subprocess.run(["gcc", "-g", "-O1", "-o", str(folder / "demo"), str(folder / "demo.c")], check=True)
    return folder / "demo"


def test_elf_debug_file_through_symbolic(elf: Path) -> None:
    from symbolic import Archive

    obj = next(Archive.open(str(elf)).iter_objects())
    nm = subprocess.run(["nm", str(elf)], capture_output=True, text=True, check=True).stdout
    compute = next(int(line.split()[0], 16) for line in nm.splitlines() if line.endswith(" compute"))
    base = 0x555500000000
    binary = Binary(name="demo", start=base, end=base + 0x10000, size=0x10000, debug_id=str(obj.debug_id))
    store = with_debug_files(SymbolStore(sources=[str(elf.parent)]))
    named = symbolicate_report(_report(binary, [base + compute + 1]), store)
    frame = named.threads[0].frames[-1]
    assert frame.function == "compute" and frame.file.endswith("demo.c")
    assert frame.line in (3, 4, 5, 6)  # compute's lines
    files = store.sources[1]
    assert isinstance(files, DebugFileStore)
    found = files.symbols_for(binary.__class__(name="demo", debug_id=str(obj.debug_id)))
    inlined = [found.lookup(a) for a in range(compute, compute + 0x40)]
    assert any(s is not None and "helper" in [i.function for i in s.inlines] for s in inlined)
