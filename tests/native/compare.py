"""Our walked stacks side by side with minidump-stackwalk's JSON (``threads[].frames[]``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector.formats.minidump_parse import Minidump
from inspector.native.render import frame_json
from inspector.native.stack import walk_thread
from inspector.native.unwind import Symbols

FIRM = ("context", "cfi", "frame_pointer")
KEYS = ("module", "module_offset", "function", "function_offset", "file", "line", "trust")


@dataclass
class Agreement:
    firm_agree: int = 0
    firm_total: int = 0
    functions_agree: int = 0
    functions_total: int = 0
    frames_agree: int = 0
    frames_total: int = 0
    beyond: int = 0
    differences: list[str] = field(default_factory=list)

    def add(self, other: Agreement) -> None:
        for name in (
            "firm_agree",
            "firm_total",
            "functions_agree",
            "functions_total",
            "frames_agree",
            "frames_total",
            "beyond",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.differences.extend(other.differences)


def our_threads(md: Minidump, symbols: Symbols | None) -> dict[int, list[dict[str, Any]]]:
    out = {}
    dump_thread = (md.breakpad_info or {}).get("dump_thread_id")
    for thread in md.threads:
        if thread.id == dump_thread and thread.id != md.crashing_thread_id:
            out[thread.id] = []  # Breakpad's dump writer: minidump-stackwalk does not walk it either
            continue
        frames = walk_thread(md, thread, symbols) or []
        out[thread.id] = [frame_json(f, md.pointer_size) for f in frames]
    return out


def _inlines(frame: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    return [(i.get("function"), i.get("file"), i.get("line")) for i in frame.get("inlines") or []]


def compare(name: str, ours: dict[int, list[dict[str, Any]]], expected: dict[str, Any]) -> Agreement:
    """Per frame of the reference: firm frames (context, CFI, frame pointer) must have our module and offset at the
    same index; every frame is also compared whole (function, file, line, inlines, trust)."""
    result = Agreement()
    for thread in expected["threads"]:
        mine = ours.get(thread["thread_id"], [])
        theirs = thread["frames"]
        result.beyond += max(0, len(mine) - len(theirs))
        for i, frame in enumerate(theirs):
            got = mine[i] if i < len(mine) else None
            where = f"{name} thread {thread['thread_id']} frame {i}"
            if frame["trust"] in FIRM:
                result.firm_total += 1
                if got is not None and (got["module"], got["module_offset"]) == (
                    frame.get("module"),
                    frame.get("module_offset"),
                ):
                    result.firm_agree += 1
                else:
                    result.differences.append(
                        f"{where}: firm frame {frame.get('module')} {frame.get('module_offset')}"
                        f" vs ours {got and (got['module'], got['module_offset'])}"
                    )
            if frame.get("function"):
                result.functions_total += 1
                if got is not None and got["function"] == frame["function"]:
                    result.functions_agree += 1
            result.frames_total += 1
            same = got is not None and all(got[k] == frame.get(k) for k in KEYS) and _inlines(got) == _inlines(frame)
            if same:
                result.frames_agree += 1
            else:
                diff = {k: (frame.get(k), got and got[k]) for k in KEYS if got is None or got[k] != frame.get(k)}
                result.differences.append(f"{where}: {diff}")
        if len(mine) < len(theirs):
            result.differences.append(f"{name} thread {thread['thread_id']}: {len(mine)} frames, theirs {len(theirs)}")
    return result
