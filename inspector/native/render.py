"""A walked stack as minidump-stackwalk writes it: JSON frames and ``module!function [file : line + 0xoff]`` text."""

from __future__ import annotations

from typing import Any

from inspector.native.unwind import WalkedFrame

TRUST_TEXT = {
    "context": "given as instruction pointer in context",
    "cfi": "call frame info",
    "frame_pointer": "previous frame's frame pointer",
    "cfi_scan": "call frame info with scanning",
    "scan": "stack scanning",
    "inlined": "inlining",
}


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def _module_name(frame: WalkedFrame) -> str | None:
    module = frame.module
    return _basename(module.name) if module is not None else None


def frame_json(frame: WalkedFrame, pointer_size: int) -> dict[str, Any]:
    """One frame with minidump-stackwalk's keys (``module_offset`` as ``0x…`` hex of the pointer's width)."""
    width = pointer_size * 2
    module = frame.module
    symbol = frame.symbol
    return {
        "module": _module_name(frame),
        "module_offset": f"0x{frame.instruction - module.base:0{width}x}" if module is not None else None,
        "address": f"0x{frame.instruction:0{width}x}",
        "function": symbol.function if symbol is not None else None,
        "function_offset": f"0x{frame.instruction - module.base - symbol.function_address:0{width}x}"
        if symbol is not None and module is not None
        else None,
        "file": symbol.file if symbol is not None else None,
        "line": symbol.line if symbol is not None else None,
        "trust": frame.trust,
        "inlines": [{"function": i.function, "file": i.file, "line": i.line} for i in symbol.inlines]
        if symbol is not None and symbol.inlines
        else [],
        "missing_symbols": symbol is None,
    }


def stack_json(frames: list[WalkedFrame], pointer_size: int) -> list[dict[str, Any]]:
    return [frame_json(f, pointer_size) for f in frames]


def frame_text(frame: WalkedFrame) -> list[str]:
    """The lines minidump-stackwalk prints for a frame: its inlined calls first, then the frame itself."""
    name = _module_name(frame)
    symbol = frame.symbol
    lines: list[str] = []
    for inline in symbol.inlines if symbol is not None else ():
        where = f" [{_basename(inline.file)} : {inline.line}]" if inline.file and inline.line is not None else ""
        lines.append(f"{name or ''}!{inline.function}{where}")
    if name is None:
        lines.append(f"0x{frame.instruction:x}")
    elif symbol is None:
        lines.append(f"{name} + 0x{frame.instruction - frame.module.base:x}")  # type: ignore[union-attr]
    else:
        base = frame.module.base  # type: ignore[union-attr]
        if symbol.file and symbol.line is not None and symbol.line_address is not None:
            off = frame.instruction - base - symbol.line_address
            lines.append(f"{name}!{symbol.function} [{_basename(symbol.file)} : {symbol.line} + 0x{off:x}]")
        else:
            lines.append(f"{name}!{symbol.function} + 0x{frame.instruction - base - symbol.function_address:x}")
    return lines


def stack_text(frames: list[WalkedFrame]) -> list[str]:
    """Numbered lines with how each frame was found (``Found by: stack scanning``)."""
    out: list[str] = []
    number = 0
    for frame in frames:
        texts = frame_text(frame)
        for k, text in enumerate(texts):
            inline = k < len(texts) - 1
            trust = "inlined" if inline else frame.trust
            missing = "  (no symbols)" if not inline and frame.missing_symbols else ""
            out.append(f"{number:2}  {text}{missing}")
            out.append(f"    Found by: {TRUST_TEXT.get(trust, trust)}")
            number += 1
    return out
