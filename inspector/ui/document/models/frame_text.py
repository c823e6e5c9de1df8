"""Text helpers for frames and stacks (display, copy, library detection). No Qt here."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from inspector.formats.lazy_json import plain
from inspector.report import ExceptionInfo, Frame, Report, Thread

_LIBRARY_PATH = re.compile(
    r"(site-packages|dist-packages|node_modules|/usr/lib|/lib/python|/System/Library|/usr/local/lib|"
    r"\\Windows\\|\\System32\\|^node:|^internal/|<frozen |/Library/Developer|libsystem_|libdyld|libc\+\+|"
    r"ntdll|kernel32|KERNELBASE|msvcrt|ucrtbase|libc\.so|libpthread|/apex/|/system/lib)",
    re.IGNORECASE,
)


def is_library_frame(frame: Frame) -> bool:
    """True for frames of libraries and the system (dimmed in the views)."""
    if frame.in_app is not None:
        return not frame.in_app
    where = " ".join(x for x in (frame.file, frame.module) if x)
    return bool(where) and bool(_LIBRARY_PATH.search(where))


#: How a native frame was found, as the "Found by" column says it.
TRUST_LABELS = {
    "context": "context",
    "cfi": "CFI",
    "frame_pointer": "frame pointer",
    "cfi_scan": "CFI + scan",
    "scan": "scan",
    "inlined": "inlined",
}
TRUST_HELP = {
    "context": "the CPU context of the crash (certain)",
    "cfi": "call frame information from the symbol file (reliable)",
    "frame_pointer": "the previous frame's frame pointer (reliable when the code keeps frame pointers)",
    "cfi_scan": "call frame information after scanning the stack",
    "scan": "scanning the stack for a return address (may be a stale value: treat with care)",
    "inlined": "an inlined call inside the frame below (from the symbol file's INLINE records)",
}


def is_weak_frame(frame: Frame) -> bool:
    """A native frame found by scanning the stack: a guess, shown weaker."""
    return frame.trust in ("scan", "cfi_scan")


def module_text(frame: Frame) -> str:
    """``crashme.exe+0x1a2b`` for native frames, else the module name."""
    if frame.module and frame.module_offset is not None:
        return f"{frame.module}+0x{frame.module_offset:x}"
    return frame.module or ""


def short_location(frame: Frame) -> str:
    """``lib.rs:133`` for ``/long/build/path/lib.rs`` (the whole path is in the tooltip and the copy)."""
    name = (frame.file or "").replace("\\", "/").rsplit("/", 1)[-1]
    return f"{name}:{frame.line}" if frame.line is not None else name


def format_address(address: int | None) -> str:
    if address is None:
        return ""
    return f"0x{address:016x}" if address > 0xFFFFFFFF else f"0x{address:08x}"


def format_size(size: int | None) -> str:
    if size is None:
        return ""
    try:
        value = float(size)
    except OverflowError:  # a hostile binary range (10**400 bytes): no float holds it
        return "out of range"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return str(size)


def short_value(value: Any, limit: int = 200) -> str:
    """A one-line rendering of a JSON-ish value."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(plain(value), ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    text = text.replace("\n", "⏎ ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def frame_location(frame: Frame) -> str:
    """``file:line`` (or module + offset, or the address) for copying."""
    if frame.file:
        return frame.location()
    if frame.module and frame.module_offset is not None:
        return module_text(frame)
    if frame.module:
        return frame.module if frame.address is None else f"{frame.module} {format_address(frame.address)}"
    return format_address(frame.address)


def frame_line(number: int, frame: Frame) -> str:
    parts = [f"#{number}", frame.function or "?"]
    where = frame_location(frame)
    if where:
        parts.append(f"at {where}")
    if frame.module and frame.file:
        parts.append(f"({module_text(frame)})")
    if frame.address is not None and frame.file:
        parts.append(format_address(frame.address))
    if frame.trust in ("scan", "cfi_scan", "inlined"):
        parts.append(f"[{frame.trust}]")
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Stack:
    """A titled list of frames: one link of an exception chain, or one thread."""

    title: str
    frames: Sequence[Frame]
    pointer: str = ""
    crashed: bool = False
    detail: str = ""
    depth: int = 0
    registers: dict[str, Any] | None = None
    kind: str = "exception"
    from_text: bool = False  # frames are the lines of an unparsed stack trace string

    def search_text(self) -> str:
        return f"{self.title} {self.detail}"


def exception_title(exc: ExceptionInfo) -> str:
    label = exc.type or "Exception"
    if exc.message:
        label += f": {exc.message}"
    if exc.depth:
        label = f"{'  ' * (exc.depth - 1)}↳ {exc.relation or 'caused by'}: {label}"
    return label.replace("\n", " ")


def _raw_stack_frames(raw: str) -> list[Frame]:
    return [Frame(function=line.strip()) for line in raw.splitlines() if line.strip()]


def thread_title(thread: Thread) -> str:
    title = f"Thread {thread.id}"
    if thread.name and thread.name != thread.id:
        title += f" — {thread.name}"
    if thread.crashed:
        title += "  (crashed)"
    return title


def exception_stacks(report: Report) -> list[Stack]:
    """The exception chain with its frames.

    When no exception carries parsed frames (native crashes, Backtrace reports whose frames live in threads), the
    crashed thread (else the first thread) comes first, so the crash site is the first frame shown. An unparsed
    stack trace string (App Center ``stackTrace``, a JS ``error.stack``) is listed line by line.
    """
    stacks: list[Stack] = []
    for exc in report.exceptions:
        frames: Sequence[Frame] = exc.frames
        title = exception_title(exc)
        from_text = not len(frames) and bool(exc.raw_stack)
        if from_text:
            frames = _raw_stack_frames(exc.raw_stack or "")
            title += "  — stack trace text"
        stacks.append(
            Stack(
                title=title,
                frames=frames,
                pointer=exc.pointer,
                crashed=exc.depth == 0,
                detail="handled" if exc.handled else ("unhandled" if exc.handled is False else ""),
                depth=exc.depth,
                from_text=from_text,
            )
        )
    if not any(len(exc.frames) for exc in report.exceptions):
        thread = report.crashed_thread
        label = "Crashed thread"
        if thread is None or not len(thread.frames):
            thread = next((t for t in report.threads if len(t.frames)), None)
            label = "No thread is marked as crashed; first thread"
        if thread is not None:
            # The thread stands for the frameless exceptions (native crashes): no "(0 frames)" rows beside it.
            lead = next((s for s in stacks if not s.from_text), None)
            stacks = [s for s in stacks if s.from_text]
            title = f"{label}: {thread_title(thread).replace('  (crashed)', '')}"
            if lead is not None and thread.crashed:
                title = f"{lead.title} — {title}"
            stacks.insert(
                0,
                Stack(
                    title=title,
                    frames=thread.frames,
                    pointer=thread.pointer,
                    crashed=thread.crashed,
                    registers=thread.registers,
                    kind="thread",
                ),
            )
    return stacks


def thread_stacks(report: Report) -> list[Stack]:
    """Every thread, the crashed one first."""
    ordered = sorted(report.threads, key=lambda t: not t.crashed)
    return [
        Stack(
            title=thread_title(t),
            frames=t.frames,
            pointer=t.pointer,
            crashed=t.crashed,
            detail=f"{t.id} {t.name or ''}",
            registers=t.registers,
            kind="thread",
        )
        for t in ordered
    ]


def stack_text(stack: Stack, most_recent_first: bool, flipped: bool = False) -> str:
    """A whole stack as text, most recent frame first unless ``flipped``."""
    n = len(stack.frames)
    order = range(n) if most_recent_first != flipped else range(n - 1, -1, -1)
    lines = [stack.title.strip()]
    for i in order:
        number = i if most_recent_first else n - 1 - i
        lines.append("    " + frame_line(number, stack.frames[i]))
    return "\n".join(lines)
