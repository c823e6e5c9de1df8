"""Stack walking for amd64, x86 and arm64: each caller found by CFI, then frame pointers, then a validated scan.

The order and the checks follow what minidump-stackwalk (rust-minidump) and Breakpad's stackwalker do, so the
frames agree with theirs:

* **CFI** (``cfi``): the ``STACK CFI`` rules of the callee's address (or, on 32-bit Windows, its ``STACK WIN``
  record) give the caller's stack pointer (``.cfa``), return address (``.ra``) and saved registers.
* **Frame pointer** (``frame_pointer``): ``[bp]`` is the caller's frame pointer and ``[bp + ptr]`` the return
  address. On Windows amd64 the saved pair may sit a little above ``rbp``; a few slots are tried.
* **Scan** (``scan``): the first word on the stack that points into a module's code, and, when the module has
  symbols, into one of its functions. Up to 40 words (160 after a context or CFI frame).

The walk ends when the caller's instruction pointer is below 4096 or the stack pointer does not move up.
Callers' instruction addresses are the return address minus one (minus four on arm64): the call, not the
instruction after it, is what the symbols describe.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from inspector.native.memory import MemoryRegion
from inspector.native.postfix import eval_cfi, eval_win, parse_cfi_rules
from inspector.native.symfile import StackWin, Symbol, SymbolFile

#: Frames walked per thread at most (a corrupt stack can chain frame pointers for a long way).
MAX_FRAMES = 1024
SCAN_WORDS = 40
SCAN_WORDS_EXTENDED = 160
MAX_GAP_BETWEEN_FRAMES = 128 * 1024


class Module(Protocol):
    base: int
    size: int
    name: str
    debug_file: str | None
    debug_id: str | None


@dataclass(frozen=True, slots=True)
class Arch:
    name: str
    pointer_size: int
    ip: str
    sp: str
    fp: str
    callee_saved: tuple[str, ...]
    #: Subtracted from a return address to get an address inside the call instruction.
    call_offset: int
    aliases: dict[str, str] = field(default_factory=dict)

    @property
    def mask(self) -> int:
        return (1 << (8 * self.pointer_size)) - 1


AMD64 = Arch("amd64", 8, "rip", "rsp", "rbp", ("rbx", "rbp", "r12", "r13", "r14", "r15"), 1)
X86 = Arch("x86", 4, "eip", "esp", "ebp", ("ebp", "ebx", "edi", "esi"), 1)
ARM64 = Arch(
    "arm64",
    8,
    "pc",
    "sp",
    "fp",
    ("x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "fp"),
    4,
    aliases={"x29": "fp", "x30": "lr", "x31": "sp"},
)
ARM = Arch(
    "arm",
    4,
    "pc",
    "sp",
    "fp",
    ("r4", "r5", "r6", "r7", "r8", "r9", "r10", "fp"),
    2,
    aliases={"r11": "fp", "r12": "ip", "r13": "sp", "r14": "lr", "r15": "pc"},
)
ARCHS = {"amd64": AMD64, "x86": X86, "arm64": ARM64, "arm": ARM}


@dataclass(slots=True)
class WalkedFrame:
    """One frame of a walked stack.

    ``instruction`` is the address the symbols are looked up at: the instruction pointer for the context frame,
    the return address minus one (four on arm64) for callers. ``registers`` holds only the registers known to
    be right for this frame.
    """

    instruction: int
    registers: dict[str, int]
    trust: str
    module: Module | None = None
    symbol: Symbol | None = None
    #: None: the frame is outside every module; True: its module has no symbols.
    missing_symbols: bool | None = None

    @property
    def return_address(self) -> int:
        return self.registers.get("rip", self.registers.get("eip", self.registers.get("pc", self.instruction)))


class Symbols(Protocol):
    """What the walker asks of a symbol source."""

    def symbols_for(self, module: Module) -> SymbolFile | None: ...


class NoSymbols:
    def symbols_for(self, module: Module) -> SymbolFile | None:
        return None


@dataclass
class Walker:
    """Walks one thread.

    Args:
        arch: ``AMD64``, ``X86`` or ``ARM64``.
        module_for: the module holding an address (or None).
        symbols: where symbol files come from.
        windows: the dump is of a Windows process (the amd64 frame-pointer search looks further).
        apple: the dump is of an Apple process (32-bit ARM then keeps a frame-pointer chain in r7).
        modules_end: the highest module end address (arm64 pointer-authentication bits are stripped above it).
    """

    arch: Arch
    module_for: Callable[[int], Module | None]
    symbols: Symbols
    windows: bool = False
    modules_end: int = 0
    apple: bool = False

    # ------------------------------------------------------------------ public

    def walk(
        self,
        context: dict[str, int],
        stack: MemoryRegion | None,
        on_frame: Callable[[int, WalkedFrame], None] | None = None,
    ) -> list[WalkedFrame]:
        """The frames of a thread, most recent first, from its CPU context and stack memory."""
        regs = {self._canonical(k): v for k, v in context.items()}
        ip = regs.get(self.arch.ip)
        if ip is None:
            return []
        frames = [WalkedFrame(ip, regs, "context")]
        self.symbolicate(frames[0])
        if on_frame is not None:
            on_frame(0, frames[0])
        if stack is None or not stack.data:
            return frames
        while len(frames) < MAX_FRAMES:
            caller = self._caller(frames, stack)
            if caller is None:
                break
            frames.append(caller)
            self.symbolicate(caller)
            if on_frame is not None:
                on_frame(len(frames) - 1, caller)
        return frames

    def symbolicate(self, frame: WalkedFrame) -> None:
        module = self.module_for(frame.instruction)
        frame.module = module
        if module is None:
            return
        symbols = self.symbols.symbols_for(module)
        frame.missing_symbols = symbols is None
        if symbols is not None and frame.instruction >= module.base:
            frame.symbol = symbols.lookup(frame.instruction - module.base)

    # ------------------------------------------------------------------ one step

    def _canonical(self, name: str) -> str:
        return self.arch.aliases.get(name, name)

    def _caller(self, frames: list[WalkedFrame], stack: MemoryRegion) -> WalkedFrame | None:
        callee = frames[-1]
        grand = frames[-2] if len(frames) > 1 else None
        arch = self.arch
        caller = self._by_cfi(callee, grand, stack)
        if caller is None:
            caller = self._by_frame_pointer(callee, stack)
        if caller is None:
            caller = self._by_scan(callee, stack)
        if caller is None:
            return None
        ip = caller.registers.get(arch.ip, 0)
        sp = caller.registers.get(arch.sp, 0)
        last_sp = callee.registers.get(arch.sp, 0)
        if ip < 4096:
            return None
        if arch is ARM:
            if sp < last_sp or (sp == last_sp and callee.trust != "context"):
                return None
        elif arch is ARM64:
            if sp < last_sp:
                return None
            if sp == last_sp:
                callee_pc = callee.registers.get("pc", 0)
                if ip == callee_pc or not (callee.trust == "context" or caller.trust == "cfi"):
                    return None
        elif sp <= last_sp:
            return None
        caller.instruction = ip - arch.call_offset
        return caller

    # ------------------------------------------------------------------ CFI / STACK WIN

    def _by_cfi(self, callee: WalkedFrame, grand: WalkedFrame | None, stack: MemoryRegion) -> WalkedFrame | None:
        arch = self.arch
        if arch.sp not in callee.registers:
            return None
        module = callee.module or self.module_for(callee.instruction)
        if module is None:
            return None
        symbols = self.symbols.symbols_for(module)
        if symbols is None or callee.instruction < module.base:
            return None
        address = callee.instruction - module.base
        size = arch.pointer_size
        mask = arch.mask

        def read(at: int) -> int | None:
            return stack.read(at & mask, size)

        caller = {r: callee.registers[r] for r in arch.callee_saved if r in callee.registers}
        if arch is X86:
            win = symbols.stack_win(address)
            if win is not None:
                found = self._by_stack_win(win, callee, grand, read, caller)
                if found is not None:
                    return found
        rules = symbols.cfi_rules(address)
        if rules is None:
            return None
        exprs = parse_cfi_rules(rules.rules)
        if exprs is None or ".cfa" not in exprs or ".ra" not in exprs:
            return None
        lr_heuristic = arch is ARM64 and callee.trust == "frame_pointer"
        rules_start = module.base + rules.start

        def callee_reg(name: str) -> int | None:
            name = self._canonical(name)
            if lr_heuristic and name == "lr" and rules_start != callee.instruction:
                return None
            return callee.registers.get(name)

        cfa = eval_cfi(exprs.pop(".cfa"), callee_reg, read, None, mask)
        if cfa is None:
            return None
        ra = eval_cfi(exprs.pop(".ra"), callee_reg, read, cfa, mask)
        if ra is None:
            return None
        caller[arch.sp] = cfa
        caller[arch.ip] = ra
        for name, expr in exprs.items():
            reg = self._canonical(name)
            value = eval_cfi(expr, callee_reg, read, cfa, mask)
            if value is None:
                caller.pop(reg, None)
            else:
                caller[reg] = value
        if arch is ARM64:
            for reg in ("pc", "lr", "fp"):
                if reg in caller:
                    caller[reg] = self._strip_pac(caller[reg])
        return WalkedFrame(caller[arch.ip], caller, "cfi")

    def _by_stack_win(
        self,
        win: StackWin,
        callee: WalkedFrame,
        grand: WalkedFrame | None,
        read: Callable[[int], int | None],
        forwarded: dict[str, int],
    ) -> WalkedFrame | None:
        grand_params = grand.symbol.parameter_size if grand is not None and grand.symbol is not None else 0
        regs = callee.registers
        if win.type == 4 and win.program is not None:
            out = eval_win(win, regs.get, read, grand_params)
            if out is None or "eip" not in out or "esp" not in out:
                return None
            caller = dict(forwarded)
            caller.update(out)
            return WalkedFrame(caller["eip"], caller, "cfi")
        if win.type != 0:
            return None
        esp = regs.get("esp")
        if esp is None:
            return None
        frame_size = win.local_size + win.saved_register_size + grand_params
        eip_at = esp + frame_size
        eip = read(eip_at)
        if eip is None:
            return None
        if grand is None and eip == regs.get("eip"):  # a return address left over by a FPO system call
            eip_at += 4
            eip = read(eip_at)
            if eip is None:
                return None
        caller = dict(forwarded)
        if win.allocates_base_pointer:
            ebp = read(esp + grand_params + win.saved_register_size - 8)
            if ebp is None:
                return None
        else:
            if "ebx" in regs:
                caller["ebx"] = regs["ebx"]
            ebp = regs.get("ebp")
            if ebp is None:
                return None
        caller.update(eip=eip, esp=eip_at + 4, ebp=ebp)
        return WalkedFrame(eip, caller, "cfi")

    # ------------------------------------------------------------------ frame pointers

    def _by_frame_pointer(self, callee: WalkedFrame, stack: MemoryRegion) -> WalkedFrame | None:
        arch = self.arch
        regs = callee.registers
        size = arch.pointer_size
        if arch is X86:
            bp = regs.get("ebp")
            if bp is None or bp >= 0xFFFFFFFF - 8:
                return None
            ip, caller_bp = stack.read(bp + 4, 4), stack.read(bp, 4)
            if ip is None or caller_bp is None:
                return None
            return WalkedFrame(ip, {"eip": ip, "esp": bp + 8, "ebp": caller_bp}, "frame_pointer")
        if arch is ARM:
            # Only Apple's ARM code keeps frame records (in r7); elsewhere r11 is not reliably one.
            fp = regs.get("r7")
            if not self.apple or fp is None or "sp" not in regs or fp == 0 or fp >= 0xFFFFFFFF - 8:
                return None
            caller_fp, pc = stack.read(fp, 4), stack.read(fp + 4, 4)
            if caller_fp is None or pc is None:
                return None
            return WalkedFrame(pc, {"pc": pc, "r7": caller_fp, "sp": fp + 8}, "frame_pointer")
        if arch is ARM64:
            fp, sp = regs.get("fp"), regs.get("sp")
            if fp is None or sp is None or fp >= (1 << 64) - 16 or fp == 0:
                return None
            caller_fp, pc = stack.read(fp, 8), stack.read(fp + 8, 8)
            if caller_fp is None or pc is None:
                return None
            caller_fp, pc = self._strip_pac(caller_fp), self._strip_pac(pc)
            if not 0x1000 <= pc <= 0x000FFFFFFFFFFFFF:
                return None
            caller = {"pc": pc, "fp": caller_fp, "sp": fp + 16}
            if caller_fp:
                lr = stack.read(caller_fp + 8, 8)
                if lr is not None:
                    caller["lr"] = self._strip_pac(lr)
            return WalkedFrame(pc, caller, "frame_pointer")
        bp, sp = regs.get("rbp"), regs.get("rsp")
        if bp is None or sp is None or bp >= (1 << 64) - 16:
            return None
        for slot in range(16 if self.windows else 1):
            at = bp + slot * 2 * size
            ip, caller_bp = stack.read(at + size, size), stack.read(at, size)
            if ip is None or caller_bp is None:
                return None
            caller_sp = at + 2 * size
            if caller_sp <= bp or caller_bp < caller_sp:
                continue
            if stack.read(caller_bp, size) is None:
                return None
            if _non_canonical(ip):
                continue
            if caller_sp <= sp or stack.read(caller_sp, size) is None:
                continue
            return WalkedFrame(ip, {"rip": ip, "rsp": caller_sp, "rbp": caller_bp}, "frame_pointer")
        return None

    def _strip_pac(self, pointer: int) -> int:
        top = max((1 << 47) - 1, self.modules_end)
        mask = (1 << (top - 1).bit_length()) - 1
        return pointer & mask

    # ------------------------------------------------------------------ scanning

    def _plausible(self, candidate: int) -> bool:
        """Could ``candidate`` be a return address: inside a module and, when it has symbols, inside a function."""
        if candidate == 0:
            return False
        if self.arch is AMD64 and _non_canonical(candidate):
            return False
        if self.arch is ARM64 and not 0x1000 <= candidate <= 0x000FFFFFFFFFFFFF:
            return False
        address = candidate - 1  # the call itself: a call to a noreturn function may end its caller
        module = self.module_for(address)
        if module is None:
            return False
        symbols = self.symbols.symbols_for(module)
        if symbols is None:
            return True
        return symbols.has_function(address - module.base)

    def _by_scan(self, callee: WalkedFrame, stack: MemoryRegion) -> WalkedFrame | None:
        arch = self.arch
        regs = callee.registers
        size = arch.pointer_size
        sp = regs.get(arch.sp)
        if sp is None:
            return None
        frame_records = arch in (AMD64, X86)
        last_bp = regs.get(arch.fp) if frame_records else None
        words = SCAN_WORDS_EXTENDED if callee.trust in ("context", "cfi") else SCAN_WORDS
        for i in range(words):
            at = sp + i * size
            candidate = stack.read(at, size)
            if candidate is None:
                return None
            if not self._plausible(candidate):
                continue
            caller_sp = at + size
            caller = {arch.ip: candidate, arch.sp: caller_sp}
            if frame_records and i > 0:
                bp_at = at - size
                bp = stack.read(bp_at, size)
                if bp is None:
                    return None
                if arch is AMD64:
                    if last_bp is not None:
                        if last_bp == bp_at and bp > at and bp - bp_at <= MAX_GAP_BETWEEN_FRAMES:
                            if stack.read(bp, size) is not None:
                                caller[arch.fp] = bp
                        elif last_bp >= caller_sp:
                            caller[arch.fp] = last_bp
                elif bp > at and bp - bp_at <= MAX_GAP_BETWEEN_FRAMES:
                    if stack.read(bp, size) is not None:
                        caller[arch.fp] = bp
                elif last_bp is not None and last_bp >= caller_sp and stack.read(last_bp, size) is not None:
                    caller[arch.fp] = last_bp
            return WalkedFrame(candidate, caller, "scan")
        return None


def _non_canonical(pointer: int) -> bool:
    return 0x7FFFFFFFFFFF < pointer < 0xFFFF800000000000
