"""Hostile input: random stacks, registers and symbol files never raise, and walks stay bounded."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.native.memory import MemoryRegion
from inspector.native.symfile import SymbolFile
from inspector.native.unwind import AMD64, ARM, ARM64, MAX_FRAMES, X86, Walker
from tests.conftest import CORPUS
from tests.native.test_unwind import APP, LIB, Mod, Table

EXAMPLES = int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "60"))
CLIENT = SymbolFile(CORPUS / "symbols/crash-client/509C0610949836F7B70BD88BCF03E5400/crash-client.sym")
SYMBOLS = Table({"app": CLIENT})
BASE = 0x7FFF0000


def _walker(arch) -> Walker:  # type: ignore[no-untyped-def]
    modules = [APP, LIB, Mod(0x10000, 0x100000, "low")]

    def module_for(address: int) -> Mod | None:
        return next((m for m in modules if m.base <= address < m.base + m.size), None)

    return Walker(arch=arch, module_for=module_for, symbols=SYMBOLS, windows=True, modules_end=0)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([AMD64, X86, ARM64, ARM]),
    st.lists(
        st.sampled_from([0, 1, 0x400010, 0x401000, 0x7F0000000100, BASE + 8, BASE + 64, 2**64 - 1, 0x10000 + 16])
        | st.integers(0, 2**64 - 1),
        max_size=300,
    ),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
    st.integers(0, 2**64 - 1),
)
def test_random_stacks(arch, words: list[int], ip: int, sp: int, fp: int) -> None:  # type: ignore[no-untyped-def]
    size = arch.pointer_size
    mask = (1 << (8 * size)) - 1
    data = b"".join((w & mask).to_bytes(size, "little") for w in words)
    regs = {arch.ip: ip & mask, arch.sp: BASE if sp % 2 else sp & mask, arch.fp: BASE + (fp % 64) * size}
    frames = _walker(arch).walk(regs, MemoryRegion(BASE, data))
    assert 1 <= len(frames) <= MAX_FRAMES
    sps = [f.registers.get(arch.sp, 0) for f in frames]
    assert all(b >= a for a, b in pairwise(sps))  # the walk never goes back down the stack


@settings(max_examples=EXAMPLES, deadline=None)
@given(
    st.lists(st.text(alphabet="FUNCPUBLISTACKWINIT 0123456789abcdef:.$+-^=@\r\t\x00é", max_size=80), max_size=40),
    st.integers(0, 0x20000),
)
def test_random_symbol_files(tmp_path_factory, lines: list[str], address: int) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("sym") / "x.sym"
    path.write_bytes(("MODULE Linux x86 00 x\n" + "\n".join(lines)).encode("utf-8", "surrogatepass"))
    sym = SymbolFile(path)
    sym.lookup(address)
    sym.cfi_rules(address)
    sym.stack_win(address)
    walker = _walker(X86)
    walker.symbols = Table({"app": sym})
    walker.walk(
        {"eip": 0x400000 + address % 0x10000, "esp": BASE, "ebp": BASE + 8}, MemoryRegion(BASE, bytes(range(256)) * 4)
    )
