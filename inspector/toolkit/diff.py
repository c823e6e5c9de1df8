"""Structural comparison of two reports.

Frames are aligned, not compared line by line: :class:`difflib.SequenceMatcher` runs over frame keys
(function + file name), so an inserted frame shows as one insertion and the frames around it still pair up;
paired frames then report their field changes (line, column, module, address). Threads are matched by name,
then id; binaries by debug id (then name); attributes and attachments by key/name.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from inspector.report import Binary, Frame, Report
from inspector.toolkit.neutral import Neutral, NThread, neutral_of

SUMMARY_FIELDS = (
    "title",
    "level",
    "fatal",
    "app",
    "app_version",
    "os",
    "device",
    "timestamp",
    "environment",
    "language",
    "sdk",
    "id",
)
FRAME_FIELDS = ("line", "column", "module", "address", "in_app")


def frame_key(f: Frame) -> tuple[str, str]:
    """function + file name; unsymbolicated native frames have neither, so their module stands in for the file."""
    base = os.path.basename((f.file or "").replace("\\", "/")) or os.path.basename((f.module or "").replace("\\", "/"))
    return f.function or "", base


def frame_label(f: Frame | None) -> str:
    if f is None:
        return ""
    where = f.location() or f.module or (f"0x{f.address:x}" if f.address is not None else "")
    return f"{f.function or '?'}  {where}".strip()


@dataclass(frozen=True, slots=True)
class FieldChange:
    name: str
    a: Any
    b: Any

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.name, "a": _jsonable(self.a), "b": _jsonable(self.b)}


@dataclass(slots=True)
class FrameRow:
    """One row of the aligned stacks: ``status`` equal / changed / added (only in B) / removed (only in A)."""

    status: str
    a_index: int | None
    b_index: int | None
    a: Frame | None
    b: Frame | None
    changes: list[FieldChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "a_index": self.a_index,
            "b_index": self.b_index,
            "a": frame_label(self.a),
            "b": frame_label(self.b),
            "changes": [c.as_dict() for c in self.changes],
        }


@dataclass(slots=True)
class Keyed:
    """An item matched by key across A and B (a thread, binary, attribute, attachment, exception)."""

    key: str
    status: str  # equal / changed / added / removed
    changes: list[FieldChange] = field(default_factory=list)
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": self.status,
            "changes": [c.as_dict() for c in self.changes],
            "detail": self.detail,
        }


@dataclass
class ReportDiff:
    a_title: str
    b_title: str
    summary: list[FieldChange]
    exceptions: list[Keyed]
    frames: list[FrameRow]
    frames_title: str
    threads: list[Keyed]
    binaries: list[Keyed]
    attributes: list[Keyed]
    attachments: list[Keyed]
    telemetry: FieldChange | None = None

    @property
    def identical(self) -> bool:
        return not (
            self.summary
            or self.telemetry
            or any(r.status != "equal" for r in self.frames)
            or any(
                k.status != "equal"
                for k in (*self.exceptions, *self.threads, *self.binaries, *self.attributes, *self.attachments)
            )
        )

    def counts(self) -> dict[str, int]:
        def changed(items: list[Any]) -> int:
            return sum(1 for i in items if i.status != "equal")

        return {
            "summary": len(self.summary),
            "exceptions": changed(self.exceptions),
            "frames": changed(self.frames),
            "threads": changed(self.threads),
            "binaries": changed(self.binaries),
            "attributes": changed(self.attributes),
            "attachments": changed(self.attachments),
            "telemetry": int(self.telemetry is not None),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "a": self.a_title,
            "b": self.b_title,
            "counts": self.counts(),
            "summary": [c.as_dict() for c in self.summary],
            "exceptions": [k.as_dict() for k in self.exceptions],
            "frames": {"title": self.frames_title, "rows": [r.as_dict() for r in self.frames]},
            "threads": [k.as_dict() for k in self.threads],
            "binaries": [k.as_dict() for k in self.binaries],
            "attributes": [k.as_dict() for k in self.attributes if k.status != "equal"],
            "attachments": [k.as_dict() for k in self.attachments],
            "telemetry": self.telemetry.as_dict() if self.telemetry else None,
        }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _frame_changes(a: Frame, b: Frame) -> list[FieldChange]:
    out = []
    for name in FRAME_FIELDS:
        va, vb = getattr(a, name), getattr(b, name)
        if va != vb:
            out.append(
                FieldChange(
                    name,
                    f"0x{va:x}" if name == "address" and va is not None else va,
                    f"0x{vb:x}" if name == "address" and vb is not None else vb,
                )
            )
    if a.file != b.file:
        out.append(FieldChange("file", a.file, b.file))
    return out


def align_frames(a: Sequence[Frame], b: Sequence[Frame]) -> list[FrameRow]:
    """Aligned rows of two stacks (both most recent first)."""
    matcher = difflib.SequenceMatcher(a=[frame_key(f) for f in a], b=[frame_key(f) for f in b], autojunk=False)
    rows: list[FrameRow] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                changes = _frame_changes(a[i], b[j])
                rows.append(FrameRow("changed" if changes else "equal", i, j, a[i], b[j], changes))
        else:
            # A replaced block, walked side by side: the same function in another file (a renamed or moved
            # source) is one changed frame; anything else is a removal plus an addition.
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                fa = a[i] if i < i2 else None
                fb = b[j] if j < j2 else None
                if fa is not None and fb is not None and fa.function and fa.function == fb.function:
                    rows.append(FrameRow("changed", i, j, fa, fb, _frame_changes(fa, fb)))
                    continue
                if fa is not None:
                    rows.append(FrameRow("removed", i, None, fa, None))
                if fb is not None:
                    rows.append(FrameRow("added", None, j, None, fb))
    return rows


def _primary_stack(n: Neutral) -> tuple[str, Sequence[Frame]]:
    crashed = n.crashed_thread
    if crashed is not None and crashed.frames:
        return f"crashed thread {crashed.name or crashed.id}", crashed.frames
    if n.exceptions and n.exceptions[0].frames:
        return "exception frames", n.exceptions[0].frames
    if n.threads:
        return f"thread {n.threads[0].name or n.threads[0].id}", n.threads[0].frames
    return "no frames", []


def _match_keyed(a: dict[str, Any], b: dict[str, Any], compare: Any) -> list[Keyed]:
    out: list[Keyed] = []
    for key in list(a) + [k for k in b if k not in a]:
        if key not in b:
            out.append(Keyed(key, "removed"))
        elif key not in a:
            out.append(Keyed(key, "added"))
        else:
            changes, detail = compare(a[key], b[key])
            out.append(Keyed(key, "changed" if changes else "equal", changes, detail))
    return out


def _thread_map(threads: list[NThread]) -> dict[str, NThread]:
    out: dict[str, NThread] = {}
    for t in threads:
        key = t.name or t.id
        if key in out:
            key = f"{key} ({t.id})"
        out[key] = t
    return out


def _compare_threads(a: NThread, b: NThread) -> tuple[list[FieldChange], str]:
    changes = []
    if a.crashed != b.crashed:
        changes.append(FieldChange("crashed", a.crashed, b.crashed))
    rows = align_frames(a.frames, b.frames)
    moved = sum(r.status != "equal" for r in rows)
    if moved:
        changes.append(FieldChange("frames", len(a.frames), len(b.frames)))
    return changes, f"{moved} frame rows differ" if moved else ""


def _binary_map(binaries: Sequence[Binary]) -> dict[str, Binary]:
    out: dict[str, Binary] = {}
    for b in binaries:
        key = b.debug_id or b.name or b.path or f"0x{b.start or 0:x}"
        out.setdefault(key, b)
    return out


def _compare_binaries(a: Binary, b: Binary) -> tuple[list[FieldChange], str]:
    changes = []
    for name in ("name", "version", "path", "start", "size", "code_id", "arch"):
        va, vb = getattr(a, name), getattr(b, name)
        if va != vb:
            changes.append(FieldChange(name, va, vb))
    return changes, ""


def _compare_values(a: Any, b: Any) -> tuple[list[FieldChange], str]:
    return ([FieldChange("value", a, b)] if a != b else []), ""


def _attachment_map(n: Neutral) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    for att in n.attachments:
        try:
            digest = hashlib.sha256(att.data()).hexdigest()[:16]
        except Exception:  # a damaged attachment (bad base64) still gets compared by size
            digest = "unreadable"
        out[att.name] = (att.size, digest)
    return out


def _compare_attachment(a: tuple[int, str], b: tuple[int, str]) -> tuple[list[FieldChange], str]:
    changes = []
    if a[0] != b[0]:
        changes.append(FieldChange("size", a[0], b[0]))
    if a[1] != b[1]:
        changes.append(FieldChange("sha256", a[1], b[1]))
    return changes, ""


def _exceptions(a: Neutral, b: Neutral) -> list[Keyed]:
    def key(e: Any) -> str:
        return e.type or "?"

    matcher = difflib.SequenceMatcher(
        a=[key(e) for e in a.exceptions], b=[key(e) for e in b.exceptions], autojunk=False
    )
    out: list[Keyed] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                ea, eb = a.exceptions[i], b.exceptions[j]
                changes = [FieldChange("message", ea.message, eb.message)] if ea.message != eb.message else []
                if len(ea.frames) != len(eb.frames):
                    changes.append(FieldChange("frames", len(ea.frames), len(eb.frames)))
                out.append(Keyed(f"#{i} {key(ea)}", "changed" if changes else "equal", changes))
        else:
            out.extend(
                Keyed(f"#{i} {key(a.exceptions[i])}: {a.exceptions[i].message or ''}".strip(), "removed")
                for i in range(i1, i2)
            )
            out.extend(
                Keyed(f"#{j} {key(b.exceptions[j])}: {b.exceptions[j].message or ''}".strip(), "added")
                for j in range(j1, j2)
            )
    return out


def diff_reports(a: Report, b: Report, a_title: str = "A", b_title: str = "B") -> ReportDiff:
    na, nb = neutral_of(a), neutral_of(b)
    summary = []
    for name in SUMMARY_FIELDS:
        va, vb = getattr(na.summary, name), getattr(nb.summary, name)
        if va != vb:
            summary.append(FieldChange(name, va, vb))
    title_a, stack_a = _primary_stack(na)
    title_b, stack_b = _primary_stack(nb)
    telemetry = None
    if [dataclasses.astuple(e)[:5] for e in na.telemetry] != [dataclasses.astuple(e)[:5] for e in nb.telemetry]:
        telemetry = FieldChange("telemetry events", len(na.telemetry), len(nb.telemetry))
    return ReportDiff(
        a_title=a_title,
        b_title=b_title,
        summary=summary,
        exceptions=_exceptions(na, nb),
        frames=align_frames(stack_a, stack_b),
        frames_title=title_a if title_a == title_b else f"{title_a} / {title_b}",
        threads=_match_keyed(_thread_map(na.threads), _thread_map(nb.threads), _compare_threads),
        binaries=_match_keyed(_binary_map(na.binaries), _binary_map(nb.binaries), _compare_binaries),
        attributes=_match_keyed(na.attributes, nb.attributes, _compare_values),
        attachments=_match_keyed(_attachment_map(na), _attachment_map(nb), _compare_attachment),
        telemetry=telemetry,
    )


_MARK = {"equal": " ", "changed": "~", "added": "+", "removed": "-"}


def diff_text(d: ReportDiff, *, context: bool = False) -> str:
    """A readable text diff (``-`` only in A, ``+`` only in B, ``~`` changed)."""
    out = [f"--- A: {d.a_title}", f"+++ B: {d.b_title}"]
    if d.identical:
        out.append("The reports are identical.")
        return "\n".join(out)
    if d.summary:
        out.append("Summary:")
        out.extend(f"  ~ {c.name}: {c.a!r} -> {c.b!r}" for c in d.summary)

    def section(title: str, items: list[Keyed]) -> None:
        shown = [k for k in items if context or k.status != "equal"]
        if not shown:
            return
        out.append(f"{title}:")
        for k in shown:
            changes = "; ".join(f"{c.name}: {c.a!r} -> {c.b!r}" for c in k.changes)
            out.append(f"  {_MARK[k.status]} {k.key}" + (f"  ({changes})" if changes else ""))

    section("Exceptions", d.exceptions)
    if any(r.status != "equal" for r in d.frames):
        out.append(f"Frames ({d.frames_title}), aligned:")
        for r in d.frames:
            if r.status == "equal" and not context:
                out.append(f"    #{r.a_index:<3} {frame_label(r.a)}")
                continue
            if r.status == "changed":
                changes = "; ".join(f"{c.name}: {c.a!r} -> {c.b!r}" for c in r.changes)
                out.append(f"  ~ #{r.a_index:<3} {frame_label(r.a)}  ({changes})")
            elif r.status == "removed":
                out.append(f"  - #{r.a_index:<3} {frame_label(r.a)}")
            elif r.status == "added":
                out.append(f"  + #{r.b_index:<3} {frame_label(r.b)}")
            else:
                out.append(f"    #{r.a_index:<3} {frame_label(r.a)}")
    section("Threads", d.threads)
    section("Binaries", d.binaries)
    section("Attributes", d.attributes)
    section("Attachments", d.attachments)
    if d.telemetry:
        out.append(f"Telemetry: {d.telemetry.a} events -> {d.telemetry.b} events (contents differ)")
    return "\n".join(out)
