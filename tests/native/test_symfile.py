"""The lazy Breakpad symbol file reader: records, lookups, laziness and damaged input."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.native.symfile import SymbolFile, SymbolFileError
from tests.conftest import CORPUS

SYM = """MODULE Linux x86_64 0123456789ABCDEF0123456789ABCDEF0 libdemo.so
INFO CODE_ID 67452301AB89EFCD
FILE 0 /src/main.c
FILE 1 /src/inline.h
INLINE_ORIGIN 0 helper
INLINE_ORIGIN 1 inner_helper
FUNC 1000 40 0 main
1000 10 10 0
INLINE 0 11 0 0 1010 10
INLINE 1 30 1 1 1018 8
1010 8 30 1
1018 8 40 1
1020 10 12 0
1030 10 14 0
FUNC m 2000 20 8 other(int)
2000 20 50 0
PUBLIC 3000 0 public_one
PUBLIC m 3100 4 public_two
FUNC 3200 10 0 after_public
STACK CFI INIT 1000 40 .cfa: $rsp 8 + .ra: .cfa -8 + ^
STACK CFI 1004 .cfa: $rsp 16 + $rbp: .cfa -16 + ^
STACK CFI 1010 .cfa: $rbp 16 +
STACK WIN 4 2000 20 3 0 8 0 4 0 1 $T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =
STACK WIN 0 3000 10 0 0 4 8 10 0 0 1
"""


@pytest.fixture
def sym(tmp_path: Path) -> SymbolFile:
    path = tmp_path / "libdemo.so.sym"
    path.write_text(SYM)
    return SymbolFile(path)


def test_module_line(sym: SymbolFile) -> None:
    assert (sym.os, sym.arch, sym.debug_id, sym.debug_file) == (
        "Linux",
        "x86_64",
        "0123456789ABCDEF0123456789ABCDEF0",
        "libdemo.so",
    )


def test_function_line_and_file(sym: SymbolFile) -> None:
    found = sym.lookup(0x1004)
    assert found is not None
    assert (found.function, found.function_address, found.file, found.line, found.line_address) == (
        "main",
        0x1000,
        "/src/main.c",
        10,
        0x1000,
    )
    assert found.inlines == []
    assert sym.lookup(0x2010).function == "other(int)"  # the "m" (multiple) flag is skipped
    assert sym.lookup(0x2010).parameter_size == 8


def test_inlined_calls_innermost_first(sym: SymbolFile) -> None:
    found = sym.lookup(0x101C)
    # main calls helper at main.c:11; helper calls inner_helper at inline.h:30; the code is inline.h:40.
    assert (found.function, found.file, found.line) == ("main", "/src/main.c", 11)
    assert [(i.function, i.file, i.line) for i in found.inlines] == [
        ("inner_helper", "/src/inline.h", 40),
        ("helper", "/src/inline.h", 30),
    ]
    one_level = sym.lookup(0x1012)
    assert [(i.function, i.line) for i in one_level.inlines] == [("helper", 30)]


def test_public_symbols_reach_up_to_the_next_function(sym: SymbolFile) -> None:
    assert sym.lookup(0x3050).function == "public_one"
    assert sym.lookup(0x3150).function == "public_two" and sym.lookup(0x3150).parameter_size == 4
    assert sym.lookup(0x3205).function == "after_public"
    assert sym.lookup(0x3300) is None  # after a FUNC that ends: the PUBLIC before that FUNC does not reach it
    assert sym.lookup(0x500) is None
    assert sym.has_function(0x1000) and not sym.has_function(0x3300)


def test_cfi_rules_with_deltas_up_to_the_address(sym: SymbolFile) -> None:
    assert sym.cfi_rules(0x1002).rules == (".cfa: $rsp 8 + .ra: .cfa -8 + ^",)
    assert len(sym.cfi_rules(0x1008).rules) == 2
    assert len(sym.cfi_rules(0x1030).rules) == 3
    assert sym.cfi_rules(0x1040) is None


def test_stack_win_records(sym: SymbolFile) -> None:
    framedata = sym.stack_win(0x2004)
    assert framedata.type == 4 and framedata.program.startswith("$T0 $ebp =") and framedata.parameter_size == 8
    fpo = sym.stack_win(0x3008)
    assert fpo.type == 0 and fpo.program is None and fpo.allocates_base_pointer
    assert fpo.saved_register_size == 8 and fpo.local_size == 0x10


def test_indexes_are_built_only_when_needed(sym: SymbolFile) -> None:
    sym.lookup(0x1004)
    assert sym._cfi is None and sym._win is None  # symbolicating (not x86) never scans the STACK records
    assert sym._files is not None and sym._funcs is not None
    sym.cfi_rules(0x1004)
    assert sym._cfi is not None


def test_crlf_and_damaged_lines(tmp_path: Path) -> None:
    text = SYM.replace("\n", "\r\n").replace("1030 10 14 0", "1030 zz 14 0").replace("FILE 1 ", "FILE x ")
    path = tmp_path / "damaged.sym"
    path.write_bytes(text.encode() + b"\xff\xfe garbage \x00\n" + b"FUNC 9000\n")
    sym = SymbolFile(path)
    assert sym.lookup(0x1004).file == "/src/main.c"
    assert sym.lookup(0x1032).line is None  # its line record is damaged: no line, no crash
    assert sym.lookup(0x101C).inlines[0].file is None  # FILE 1 is damaged
    assert sym.lookup(0x9000) is None


def test_not_a_symbol_file(tmp_path: Path) -> None:
    path = tmp_path / "x.sym"
    path.write_bytes(b"\x7fELF...")
    with pytest.raises(SymbolFileError, match="not a Breakpad symbol file"):
        SymbolFile(path)
    empty = tmp_path / "empty.sym"
    empty.write_bytes(b"")
    with pytest.raises(SymbolFileError):
        SymbolFile(empty)


def test_real_symbol_file_lookups() -> None:
    sym = SymbolFile(CORPUS / "symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym")
    found = sym.lookup(0x429E)
    assert found.function == "`anonymous namespace'::CrashFunction" and found.line == 58
    assert sym.stack_win(0x41B0) is not None


def test_chunked_scan_and_index_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records cut by the scan's chunk ends are found; a second open of the same file reads the cached index."""
    from inspector.native import symfile

    path = tmp_path / "libdemo.so.sym"
    path.write_text(SYM)
    whole = SymbolFile(path)
    expected = [(a, whole.lookup(a)) for a in (0x1004, 0x101C, 0x2010, 0x3050, 0x3205)]
    monkeypatch.setattr(symfile, "SCAN_CHUNK", 37)  # smaller than a line: every record head crosses a chunk end
    monkeypatch.setattr(symfile, "INDEX_CACHE_MIN", 0)
    chunked = SymbolFile(path, index_dir=tmp_path / "index")
    assert [(a, chunked.lookup(a)) for a, _ in expected] == expected
    assert chunked.cfi_rules(0x1030).rules == whole.cfi_rules(0x1030).rules
    assert len(list((tmp_path / "index").glob("*.idx"))) == 5  # func, public, file, origin, cfi

    def no_scan(self: SymbolFile, pattern: object) -> None:
        raise AssertionError("scanned although the index is cached")

    monkeypatch.setattr(SymbolFile, "_matches", no_scan)
    cached = SymbolFile(path, index_dir=tmp_path / "index")
    assert [(a, cached.lookup(a)) for a, _ in expected] == expected
    # The file changes: its old index is not used.
    monkeypatch.undo()
    path.write_text(SYM.replace("FUNC 1000 40 0 main", "FUNC 1000 40 0 renamed"))
    monkeypatch.setattr(symfile, "INDEX_CACHE_MIN", 0)
    assert SymbolFile(path, index_dir=tmp_path / "index").lookup(0x1004).function == "renamed"
    for index in (tmp_path / "index").glob("*.idx"):
        index.write_bytes(b"\x01")  # damaged index files are rebuilt, not trusted
    assert SymbolFile(path, index_dir=tmp_path / "index").lookup(0x2010).function == "other(int)"
