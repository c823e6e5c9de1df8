"""arm64 and arm against Breakpad: its test microdumps walked with its own symbols, compared with its stackwalk.

Breakpad's ``microdump_stackwalk -m`` outputs (``data/breakpad``): arm64, 9 frames (the context, then 8 by CFI);
arm, 8 frames (the context, then 7 by CFI). Ours must list those with the same module, function, file, line and
offset from the line. Past arm64's 9 we list what our (rust-minidump's) frame-pointer rule still finds, where
Breakpad's arm64 walker stops: its frame-pointer step takes the caller's pc from the callee's link register, which
CFI left unknown in the libc frame.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.formats import load_path
from inspector.formats.minidump import reports
from inspector.native.memory import MemoryRegion
from inspector.native.store import SymbolStore
from inspector.native.unwind import ARM, ARM64, Arch, Walker
from tests.conftest import CORPUS

DATA = Path(__file__).parent / "data" / "breakpad"
CASES = [
    (ARM64, CORPUS / "minidump" / "breakpad_MICRODUMP-TEXT_arm64_not-a-minidump.dmp", "arm64", 9, 2),
    (ARM, DATA / "microdump-arm.dmp", "arm", 8, 0),
]


@pytest.mark.parametrize(("arch", "dump", "name", "count", "beyond"), CASES, ids=["arm64", "arm"])
def test_microdump_matches_breakpad(arch: Arch, dump: Path, name: str, count: int, beyond: int) -> None:
    sub = load_path(str(dump))
    md = sub.native.dumps[0] if hasattr(sub.native, "dumps") else sub.native
    walker = Walker(
        arch, md.module_for, SymbolStore(sources=[str(DATA / "symbols")]), modules_end=max(m.end for m in md.modules)
    )
    frames = walker.walk(md.registers, MemoryRegion(md.stack_start, bytes(md.stack)))
    out = DATA / f"microdump.stackwalk.machine_readable-{name}.out"
    expected = [line.split("|") for line in out.read_text().splitlines() if line.startswith("0|")]
    assert len(expected) == count
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
    assert [f.trust for f in frames[count:]] == ["frame_pointer"] * beyond


def test_arm_microdump_report_is_walked() -> None:
    report = reports(load_path(str(DATA / "microdump-arm.dmp")))[0]
    frames = report.threads[0].frames
    assert frames[0].trust == "context" and frames[0].module == "breakpad_unittests"
