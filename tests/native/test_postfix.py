"""STACK CFI and STACK WIN postfix programs, with the examples of Breakpad's symbol file documentation."""

from __future__ import annotations

from inspector.native.postfix import eval_cfi, eval_win, parse_cfi_rules
from inspector.native.symfile import StackWin

M64 = (1 << 64) - 1


def test_cfi_rules_later_lines_replace_earlier_ones() -> None:
    exprs = parse_cfi_rules((".cfa: $rsp 8 + .ra: .cfa -8 + ^", ".cfa: $rsp 16 + $rbp: .cfa -16 + ^"))
    assert exprs == {".cfa": "$rsp 16 +", ".ra": ".cfa -8 + ^", "rbp": ".cfa -16 + ^"}
    assert parse_cfi_rules(("$rsp 8 +",)) is None  # an expression without its register
    assert parse_cfi_rules((".cfa:",)) is None


def test_cfi_evaluation() -> None:
    memory = {0x1000 - 8: 0xDEAD, 0x1000 - 16: 0xBEEF}
    regs = {"rsp": 0x1000 - 16, "x29": 5}
    cfa = eval_cfi("$rsp 16 +", regs.get, memory.get, None, M64)
    assert cfa == 0x1000
    assert eval_cfi(".cfa -8 + ^", regs.get, memory.get, cfa, M64) == 0xDEAD
    assert eval_cfi("x29 3 *", regs.get, memory.get, cfa, M64) == 15  # ARM registers have no '$'
    assert eval_cfi("$rsp 7 @", regs.get, memory.get, cfa, M64) is None  # align to a non-power of two
    assert eval_cfi("$rsp 16 @", regs.get, memory.get, cfa, M64) == 0xFF0
    assert eval_cfi("1 0 /", regs.get, memory.get, cfa, M64) is None
    assert eval_cfi(".cfa", regs.get, memory.get, None, M64) is None  # the CFA cannot define itself
    assert eval_cfi("$rax", regs.get, memory.get, cfa, M64) is None  # unknown register
    assert eval_cfi("1 2", regs.get, memory.get, cfa, M64) is None  # two values left
    assert eval_cfi("0 1 -", regs.get, memory.get, cfa, M64) == M64  # wraps like the machine
    assert eval_cfi(".undef", regs.get, memory.get, cfa, M64) is None


def _win(program: str, local: int = 0, saved: int = 0, params: int = 0) -> StackWin:
    return StackWin(4, 0, 0x10, 0, 0, params, saved, local, 0, program, False)


def test_stack_win_program_of_the_documentation() -> None:
    # "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =": a standard ebp frame.
    memory = {0x2000: 0x3000, 0x2004: 0x401234}
    regs = {"esp": 0x1F00, "ebp": 0x2000, "ebx": 7}
    out = eval_win(_win("$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + ="), regs.get, memory.get, 0)
    assert out == {"eip": 0x401234, "esp": 0x2008, "ebp": 0x3000, "ebx": 7}


def test_stack_win_ra_search_and_glued_equals() -> None:
    memory = {0x1F00 + 0x10 + 8 + 4: 0x401000}
    regs = {"esp": 0x1F00, "ebp": 0x2000}
    program = "$T0 .raSearch =$eip $T0 ^ = $esp $T0 4 + ="
    out = eval_win(_win(program, local=0x10, saved=8), regs.get, memory.get, 4)
    assert out["eip"] == 0x401000 and out["esp"] == 0x1F00 + 0x1C + 4


def test_stack_win_failures() -> None:
    regs = {"esp": 0x1F00, "ebp": 0x2000}
    assert eval_win(_win("$eip $T9 ^ ="), regs.get, {}.get, 0) is None  # unknown variable
    assert eval_win(_win("$eip 4 ^ ="), regs.get, {}.get, 0) is None  # unreadable memory
    assert eval_win(_win("5 $eip ="), regs.get, {}.get, 0) is None  # assignment to a number
    assert eval_win(_win("$eip junk ="), regs.get, {}.get, 0) is None
    assert eval_win(_win("$T0 $ebp ="), {"esp": 1}.get, {}.get, 0) is None  # no $ebp in the callee
