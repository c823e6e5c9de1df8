"""arm64 against Breakpad: the corpus microdump walked with Breakpad's own symbols, compared with its stackwalk.

Breakpad's ``microdump_stackwalk -m`` output (``data/breakpad``) lists 9 frames: the context, then 8 by CFI. Ours
must give those 9 with the same module, function, file, line and offset from the line. Past them we list what our
(rust-minidump's) frame-pointer rule still finds, where Breakpad's arm64 walker stops because its frame-pointer
step takes the caller's pc from the callee's link register, which CFI left unknown in the libc frame.
"""

from __future__ import annotations

from pathlib import Path

from inspector.formats import load_path
from inspector.native.memory import MemoryRegion
from inspector.native.store import SymbolStore
from inspector.native.unwind import ARM64, Walker
from tests.conftest import CORPUS

DATA = Path(__file__).parent / "data" / "breakpad"


def test_microdump_arm64_matches_breakpad() -> None:
    sub = load_path(str(CORPUS / "minidump" / "breakpad_MICRODUMP-TEXT_arm64_not-a-minidump.dmp"))
    md = sub.native.dumps[0] if hasattr(sub.native, "dumps") else sub.native
    walker = Walker(
        ARM64, md.module_for, SymbolStore(sources=[str(DATA / "symbols")]), modules_end=max(m.end for m in md.modules)
    )
    frames = walker.walk(md.registers, MemoryRegion(md.stack_start, bytes(md.stack)))
    expected = [
        line.split("|")
        for line in (DATA / "microdump.stackwalk.machine_readable-arm64.out").read_text().splitlines()
        if line.startswith("0|")
    ]
    assert len(expected) == 9
    for (_thread, number, module, function, file, line, offset), frame in zip(expected, frames, strict=False):
        where = f"frame {number}"
        assert frame.module is not None and frame.module.basename == module, where
        assert frame.trust == ("context" if number == "0" else "cfi"), where
        symbol = frame.symbol
        if not function:
            assert symbol is None and frame.missing_symbols, where
            assert f"0x{frame.instruction - frame.module.base:x}" == offset, where
            continue
        assert (symbol.function, symbol.file, str(symbol.line)) == (function, file, line), where
        assert f"0x{frame.instruction - frame.module.base - symbol.line_address:x}" == offset, where
    assert [f.trust for f in frames[9:]] == ["frame_pointer", "frame_pointer"]  # beyond Breakpad's 9
