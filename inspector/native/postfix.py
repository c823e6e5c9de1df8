"""Postfix programs of Breakpad unwind records: ``STACK CFI`` rules and ``STACK WIN`` program strings.

``STACK CFI``: ``.cfa: EXPR .ra: EXPR REG: EXPR ...`` where each EXPR is postfix over the callee's registers
(``$rbp``, ``x29``), constants, ``.cfa`` and the operators ``+ - * / % @`` (align down) and ``^`` (read a pointer
from memory). Later rules for a register replace earlier ones (the ``STACK CFI`` deltas update the INIT rules).

``STACK WIN`` (32-bit Windows, frame data): assignments ``$T0 $ebp = $eip $T0 4 + ^ = ...`` over variables
(``$eip``, ``$esp``, ``$ebp``, ``$T0``.., ``.raSearch``, ``.cbParams``...) in 32-bit arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable

from inspector.native.symfile import StackWin

#: Longest program evaluated (a hostile record cannot make the evaluator spin).
MAX_TOKENS = 4096

ReadPointer = Callable[[int], int | None]


def parse_cfi_rules(rules: tuple[str, ...]) -> dict[str, str] | None:
    """``{register: expression}`` of a CFI INIT line and its deltas; None when a line does not parse."""
    exprs: dict[str, str] = {}
    for text in rules:
        register: str | None = None
        tokens: list[str] = []
        for token in text.split():
            if token.endswith(":"):
                if register is not None:
                    if not tokens:
                        return None
                    exprs[register] = " ".join(tokens)
                register, tokens = token[:-1].lstrip("$"), []
            elif register is None:
                return None
            else:
                tokens.append(token)
        if register is None or not tokens:
            return None
        exprs[register] = " ".join(tokens)
    return exprs


def eval_cfi(
    expr: str, callee: Callable[[str], int | None], read: ReadPointer, cfa: int | None, mask: int
) -> int | None:
    """Value of one CFI expression, or None when it cannot be evaluated (unknown register, unreadable memory)."""
    stack: list[int] = []
    tokens = expr.split()
    if len(tokens) > MAX_TOKENS:
        return None
    for token in tokens:
        if token in ("+", "-", "*", "/", "%", "@"):
            if len(stack) < 2:
                return None
            rhs, lhs = stack.pop(), stack.pop()
            if token == "+":
                value = lhs + rhs
            elif token == "-":
                value = lhs - rhs
            elif token == "*":
                value = lhs * rhs
            elif token in ("/", "%"):
                if rhs == 0:
                    return None
                value = lhs // rhs if token == "/" else lhs % rhs
            else:
                if rhs == 0 or rhs & (rhs - 1):
                    return None
                value = lhs & ~(rhs - 1)
            stack.append(value & mask)
        elif token == "^":
            if not stack:
                return None
            found = read(stack.pop())
            if found is None:
                return None
            stack.append(found)
        elif token == ".cfa":
            if cfa is None:
                return None
            stack.append(cfa)
        elif token == ".undef":
            return None
        elif token.startswith("$"):
            register = callee(token[1:])
            if register is None:
                return None
            stack.append(register)
        else:
            try:
                stack.append(int(token, 10) & mask)
            except ValueError:
                register = callee(token)  # ARM style: registers without '$'
                if register is None:
                    return None
                stack.append(register)
    return stack[0] if len(stack) == 1 else None


_WIN_OUTPUTS = ("$eip", "$esp", "$ebp", "$ebx", "$esi", "$edi")
_M32 = 0xFFFFFFFF


def eval_win(
    info: StackWin, callee: Callable[[str], int | None], read: ReadPointer, grand_callee_params: int
) -> dict[str, int] | None:
    """The caller's registers from a ``STACK WIN`` frame-data program string; None when it fails."""
    program = info.program or ""
    esp, ebp = callee("esp"), callee("ebp")
    if esp is None or ebp is None:
        return None
    frame_size = info.local_size + info.saved_register_size + grand_callee_params
    # An aligned frame ('@' in the program) cannot trust $esp: the caller's $ebp sits right above the return address.
    search = (ebp + 4) & _M32 if "@" in program else (esp + frame_size) & _M32
    variables: dict[str, int] = {
        "$esp": esp,
        "$ebp": ebp,
        ".cbParams": info.parameter_size,
        ".cbCalleeParams": grand_callee_params,
        ".cbSavedRegs": info.saved_register_size,
        ".cbLocals": info.local_size,
        ".raSearch": search,
        ".raSearchStart": search,
    }
    ebx = callee("ebx")
    if ebx is not None:
        variables["$ebx"] = ebx
    tokens: list[str] = []
    for token in program.split():
        if token.startswith("=") and len(token) > 1:  # some toolchains write "=$eip" for "= $eip"
            tokens.extend(("=", token[1:]))
        else:
            tokens.append(token)
    if len(tokens) > MAX_TOKENS:
        return None
    stack: list[int | str | None] = []  # int: a value; str: a variable name; None: .undef

    def value(item: int | str | None) -> int | None:
        if isinstance(item, str):
            return variables.get(item)
        return item

    for token in tokens:
        if token in ("+", "-", "*", "/", "%", "@"):
            if len(stack) < 2:
                return None
            rhs, lhs = value(stack.pop()), value(stack.pop())
            if rhs is None or lhs is None:
                return None
            if token == "+":
                result = lhs + rhs
            elif token == "-":
                result = lhs - rhs
            elif token == "*":
                result = lhs * rhs
            elif token in ("/", "%"):
                if rhs == 0:
                    return None
                result = lhs // rhs if token == "/" else lhs % rhs
            else:
                if rhs == 0 or rhs & (rhs - 1):
                    return None
                result = lhs & ~(rhs - 1)
            stack.append(result & _M32)
        elif token == "=":
            if len(stack) < 2:
                return None
            rhs_item, name = stack.pop(), stack.pop()
            if not isinstance(name, str):
                return None
            if rhs_item is None:
                variables.pop(name, None)
                continue
            rhs = value(rhs_item)
            if rhs is None:
                return None
            variables[name] = rhs
        elif token == "^":
            if not stack:
                return None
            address = value(stack.pop())
            if address is None:
                return None
            found = read(address)
            if found is None:
                return None
            stack.append(found & _M32)
        elif token == ".undef":
            stack.append(None)
        elif token.startswith(("$", ".")):
            stack.append(token)
        else:
            try:
                stack.append(int(token, 10) & _M32)
            except ValueError:
                return None
    return {name[1:]: variables[name] for name in _WIN_OUTPUTS if name in variables}
