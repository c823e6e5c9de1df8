"""The unwinders on hand-built stacks: arm64 (no corpus dump has one), amd64 CFI and scanning, x86 FPO."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from inspector.native.memory import MemoryRegion
from inspector.native.symfile import SymbolFile
from inspector.native.unwind import AMD64, ARM64, X86, Walker


@dataclass
class Mod:
    base: int
    size: int
    name: str
    debug_file: str | None = None
    debug_id: str | None = None


class Table:
    def __init__(self, symbols: dict[str, SymbolFile] | None = None) -> None:
        self.by_name = symbols or {}

    def symbols_for(self, module: Mod) -> SymbolFile | None:
        return self.by_name.get(module.name)


def _stack(base: int, words: list[int], size: int = 8) -> MemoryRegion:
    fmt = "<Q" if size == 8 else "<I"
    return MemoryRegion(base, b"".join(struct.pack(fmt, w) for w in words))


def _walker(arch, modules: list[Mod], symbols: Table | None = None) -> Walker:  # type: ignore[no-untyped-def]
    def module_for(address: int) -> Mod | None:
        return next((m for m in modules if m.base <= address < m.base + m.size), None)

    return Walker(arch=arch, module_for=module_for, symbols=symbols or Table(), modules_end=0)


APP = Mod(0x400000, 0x10000, "app")
LIB = Mod(0x7F0000000000, 0x10000, "lib")


def test_arm64_frame_pointer_chain_with_pointer_authentication() -> None:
    sp = 0x10000
    # frame records (fp, lr) at 0x10010 and 0x10030; the first return address carries PAC bits.
    words = [0] * 16
    words[2], words[3] = sp + 0x30, 0x0023_0000_0040_1234  # [fp], [fp+8] of frame 0
    words[6], words[7] = 0, 0x402000  # the outermost record: fp 0 ends the chain
    walker = _walker(ARM64, [APP])
    frames = walker.walk({"pc": 0x400100, "sp": sp, "fp": sp + 0x10, "lr": 0x400500}, _stack(sp, words))
    assert [f.trust for f in frames][:3] == ["context", "frame_pointer", "frame_pointer"]
    assert frames[1].instruction == 0x401234 - 4  # PAC bits stripped, the call is 4 bytes before
    assert frames[2].instruction == 0x402000 - 4


def test_arm64_leaf_cfi_uses_the_link_register(tmp_path: Path) -> None:
    sym = tmp_path / "app.sym"
    sym.write_text(
        "MODULE Linux arm64 00 app\nFUNC 100 20 0 leaf\nSTACK CFI INIT 100 20 .cfa: sp 0 + .ra: x30\n"
        "FUNC 500 20 0 caller\n"
    )
    walker = _walker(ARM64, [APP], Table({"app": SymbolFile(sym)}))
    sp = 0x20000
    frames = walker.walk({"pc": 0x400104, "sp": sp, "fp": 0, "x30": 0x400508}, _stack(sp, [0] * 4))
    assert [(f.trust, f.symbol and f.symbol.function) for f in frames[:2]] == [("context", "leaf"), ("cfi", "caller")]


def test_amd64_cfi_then_scan_that_checks_functions(tmp_path: Path) -> None:
    sym = tmp_path / "app.sym"
    sym.write_text(
        "MODULE Linux x86_64 00 app\nFUNC 1000 100 0 crash\nFUNC 2000 100 0 main\n"
        "STACK CFI INIT 1000 100 .cfa: $rsp 16 + .ra: .cfa -8 + ^ $rbp: .cfa -16 + ^\n"
    )
    sp = 0x7FFF0000
    words = [
        0x1111,
        0x402010,  # saved rbp, return into main
        0x400000 + 0x9000,  # inside app but in no function: the scan must skip it
        0x402050,
    ]  # a plausible return address into main
    walker = _walker(AMD64, [APP], Table({"app": SymbolFile(sym)}))
    frames = walker.walk({"rip": 0x401010, "rsp": sp, "rbp": 0}, _stack(sp, words))
    assert [f.trust for f in frames] == ["context", "cfi", "scan"]
    assert frames[1].symbol.function == "main" and frames[1].registers["rbp"] == 0x1111
    assert frames[2].instruction == 0x402050 - 1


def test_amd64_scan_without_symbols_takes_any_address_in_a_module() -> None:
    sp = 0x7FFF0000
    words = [0x12, 0xFFFF900000000000, 0x7F0000001000, 0x400010]
    frames = _walker(AMD64, [APP, LIB]).walk({"rip": 0x400001, "rsp": sp}, _stack(sp, words))
    assert [(f.trust, f.module.name) for f in frames] == [("context", "app"), ("scan", "lib"), ("scan", "app")]
    assert all(f.missing_symbols for f in frames)


def test_walk_ends_when_the_stack_pointer_does_not_move_up() -> None:
    sp = 0x1000
    # rbp points below rsp: a frame pointer step would move the stack down, and nothing else is found.
    frames = _walker(AMD64, [APP]).walk({"rip": 0x400001, "rsp": sp, "rbp": sp - 16}, _stack(sp, [5, 6]))
    assert len(frames) == 1


def test_x86_fpo_record(tmp_path: Path) -> None:
    sym = tmp_path / "app.sym"
    sym.write_text(
        "MODULE windows x86 00 app.pdb\nFUNC 1000 100 4 f\nFUNC 2000 100 0 g\nSTACK WIN 0 1000 100 0 0 4 8 10 0 0 0\n"
    )
    sp = 0x30000
    words = [0] * 6 + [0x402020, 0]  # local 0x10 + saved 8 bytes, then the return address
    walker = _walker(X86, [APP], Table({"app": SymbolFile(sym)}))
    frames = walker.walk({"eip": 0x401008, "esp": sp, "ebp": 0x31000, "ebx": 9}, _stack(sp, words, 4))
    assert [f.trust for f in frames[:2]] == ["context", "cfi"]
    assert frames[1].registers["esp"] == sp + 0x18 + 4 and frames[1].registers["ebx"] == 9
    assert frames[1].symbol.function == "g"


def test_no_stack_memory_gives_the_context_frame_only() -> None:
    frames = _walker(X86, [APP]).walk({"eip": 0x400010, "esp": 0x1000, "ebp": 0}, None)
    assert len(frames) == 1 and frames[0].trust == "context"
    assert _walker(X86, [APP]).walk({"esp": 1}, None) == []
