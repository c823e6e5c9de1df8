"""Map the minified JavaScript frames of a report (Rollbar ``filename:lineno:colno``, Backtrace
``library:line:column``) to their original file, line, column and function through local source maps.

Where maps come from (:class:`SourceMapStore`, given folders and files): for a frame's file (a URL or a path),
its last path segment names the minified file; that file, found in the given folders (or at the frame's own path
on this machine), says where its map is in its ``//# sourceMappingURL=`` comment (a ``data:`` URL, or a path
next to it); without the minified file, ``<name>.map`` in the folders is the map, else a ``.map`` file the user
gave by itself whose ``file`` is that name.

Function names: a minified frame's own name is the minifier's (``e``, ``i``). The original name is the one the
map gives the *caller's* call site (``e(r)`` in the caller maps to the token ``validateQuantity``), which is how
``node --enable-source-maps`` names frames; the innermost-caller-less frame keeps its name. ``sourcesContent`` of
the original file becomes the frame's source, shown in the source pane with the line marked.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from inspector.formats.base import InspectorError
from inspector.formats.sourcemap import AnyMap, SourceMap, decode_data_url, lookup, parse_source_map
from inspector.report import Frame, LazyList, Report, SourceContext

#: Files larger than this are not read (a map or bundle of more is not something to decode in a viewer).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Folders are indexed up to this many files.
MAX_INDEXED_FILES = 200_000
#: Lines of ``sourcesContent`` shown around the frame's line (the whole file when shorter).
CONTEXT_LINES = 400
_JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx")
_MAPPING_URL = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*([^\s'\"*]+)")


def frame_file_name(file: str) -> str:
    """The last path segment of a frame's file: a URL's path (no query or fragment) or a local path."""
    text = file.strip()
    if "://" in text:
        text = urlsplit(text).path
    text = unquote(text.split("?", 1)[0].split("#", 1)[0]).replace("\\", "/")
    return text.rstrip("/").rsplit("/", 1)[-1]


def mapping_url(minified: bytes) -> str | None:
    """The last ``sourceMappingURL`` comment of a minified file (``//#`` or the old ``//@``)."""
    found = None
    for match in _MAPPING_URL.finditer(minified[-MAX_FILE_BYTES:]):
        found = match.group(1)
    return found.decode("utf-8", "replace") if found is not None else None


@dataclasses.dataclass(slots=True)
class LoadedMap:
    map: AnyMap
    origin: str  # where it came from: a path, or "inline in <file>"


class SourceMapStore:
    """Finds and decodes the maps of minified files under the given folders and files (cached, thread-safe)."""

    def __init__(self, paths: Iterable[str | os.PathLike[str]]) -> None:
        self.paths = [Path(p) for p in paths]
        self.problems: list[str] = []  # one line per map or file that could not be used
        self._lock = threading.RLock()
        self._index: dict[str, list[Path]] | None = None
        self._by_file: dict[str, LoadedMap | None] = {}
        self._maps: dict[str, LoadedMap | None] = {}

    def __bool__(self) -> bool:
        return bool(self.paths)

    def _names(self) -> dict[str, list[Path]]:
        if self._index is None:
            index: dict[str, list[Path]] = {}
            count = 0
            for root in self.paths:
                if root.is_file():
                    index.setdefault(root.name, []).append(root)
                    continue
                if not root.is_dir():
                    self.problems.append(f"{root}: no such file or folder")
                    continue
                for folder, dirs, files in os.walk(root):
                    dirs[:] = sorted(d for d in dirs if d != "node_modules")
                    for name in sorted(files):
                        if name.endswith(".map") or name.endswith(_JS_SUFFIXES):
                            index.setdefault(name, []).append(Path(folder) / name)
                            count += 1
                    if count >= MAX_INDEXED_FILES:
                        self.problems.append(f"{root}: more than {MAX_INDEXED_FILES} files; the rest not looked at")
                        break
            self._index = index
        return self._index

    def _read(self, path: Path) -> bytes | None:
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                self.problems.append(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; not read")
                return None
            return path.read_bytes()
        except OSError as exc:
            self.problems.append(f"{path}: cannot read ({exc.strerror or exc})")
            return None

    def _load(self, key: str, raw: bytes | None, origin: str) -> LoadedMap | None:
        if key in self._maps:
            return self._maps[key]
        loaded = None
        if raw is not None:
            try:
                loaded = LoadedMap(parse_source_map(raw, origin), origin)
            except InspectorError as exc:
                self.problems.append(str(exc))
        self._maps[key] = loaded
        return loaded

    def _map_of_minified(self, minified: Path) -> LoadedMap | None:
        raw = self._read(minified)
        url = mapping_url(raw) if raw is not None else None
        if url is None:
            return None
        if url.startswith("data:"):
            try:
                data = decode_data_url(url, f"inline source map of {minified}")
            except InspectorError as exc:
                self.problems.append(str(exc))
                return None
            return self._load(f"inline:{minified}", data, f"inline in {minified.name}")
        relative = unquote(urlsplit(url).path) if "://" in url else unquote(url.split("?", 1)[0])
        beside = (minified.parent / relative).resolve() if not os.path.isabs(relative) else Path(relative)
        if beside.is_file():
            return self._load(str(beside), self._read(beside), str(beside))
        for candidate in self._names().get(frame_file_name(relative), []):
            return self._load(str(candidate), self._read(candidate), str(candidate))
        self.problems.append(f"{minified.name} names its map {url!r}, which is not in the source-map folders")
        return None

    def map_for(self, file: str) -> LoadedMap | None:
        """The map of a frame's minified file, or None."""
        with self._lock:
            if file in self._by_file:
                return self._by_file[file]
            found: LoadedMap | None = None
            name = frame_file_name(file)
            candidates = list(self._names().get(name, [])) if name else []
            local = Path(file)
            if "://" not in file and local.is_absolute() and local.is_file() and local not in candidates:
                candidates.append(local)
            for minified in candidates:
                if minified.suffix != ".map":
                    found = self._map_of_minified(minified)
                    if found is not None:
                        break
            if found is None and name:
                for candidate in self._names().get(name + ".map", []):
                    found = self._load(str(candidate), self._read(candidate), str(candidate))
                    if found is not None:
                        break
            if found is None and name:  # a map the user picked by itself: its "file" names the minified file
                for path in self.paths:
                    if path.suffix == ".map" and path.is_file():
                        loaded = self._load(str(path), self._read(path), str(path))
                        if loaded is not None and frame_file_name(loaded.map.file or "") == name:
                            found = loaded
                            break
            self._by_file[file] = found
            return found


# ---------------------------------------------------------------------------------------------- frames


def _context(source_map: SourceMap, index: int, path: str | None, line: int) -> SourceContext | None:
    text = source_map.source_text(index)
    if text is None:
        return None
    lines = text.splitlines()
    first = max(0, line - 1 - CONTEXT_LINES)
    last = min(len(lines), line + CONTEXT_LINES)
    return SourceContext(tuple(lines[first:last]), first + 1, line, path, "javascript")


def columns_from_zero(report: Report) -> bool:
    """rollbar.js on node sends ``colno`` 0-based (V8's column - 1, ``src/server/parser.js``); its browser build,
    the Backtrace SDKs and V8 stack text count from 1."""
    return report.format == "rollbar" and (report.summary.sdk or "").startswith("node_rollbar")


def map_frame(frame: Frame, store: SourceMapStore, caller: Frame | None = None, column_shift: int = 0) -> Frame:
    """``frame`` at its original place (a new Frame), or ``frame`` itself when no map covers it.

    ``column_shift`` turns the payload's column into a 1-based one (1 for a 0-based payload)."""
    if not frame.file or frame.line is None or frame.column is None:
        return frame
    loaded = store.map_for(frame.file)
    if loaded is None:
        return frame
    column = frame.column + column_shift
    found = lookup(loaded.map, frame.line, column)
    if found is None:
        return dataclasses.replace(frame, note=_join(frame.note, f"not in its source map ({loaded.origin})"))
    source_map, original = found
    function = frame.function
    if caller is not None and caller.file and caller.line is not None and caller.column is not None:
        caller_map = store.map_for(caller.file)
        at_call = lookup(caller_map.map, caller.line, caller.column + column_shift) if caller_map is not None else None
        if at_call is not None and at_call[1].name:
            function = at_call[1].name
    path = display_path(original.source)
    return dataclasses.replace(
        frame,
        function=function,
        file=path,
        line=original.line,
        column=original.column,
        source=_context(source_map, original.source_index, path, original.line) or frame.source,
        in_app=None if path is None else "node_modules" not in path,
        note=_join(
            frame.note,
            f"source-mapped from {frame_file_name(frame.file)}:{frame.line}:{column}"
            + (f" ({frame.function})" if frame.function and frame.function != function else ""),
        ),
    )


def display_path(source: str | None) -> str | None:
    """A map's source name as people read it: ``../src/a.js`` and ``webpack:///./src/a.js`` become ``src/a.js``."""
    if not source:
        return source
    text = source
    for prefix in ("webpack:///", "webpack://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if "://" in text or text.startswith("/"):
        return text
    text = posixpath.normpath(text)
    while text.startswith("../"):
        text = text[3:]
    return text.removeprefix("./")


def _join(*notes: str | None) -> str | None:
    return ", ".join(n for n in notes if n) or None


def map_frames(
    frames: Sequence[Frame], store: SourceMapStore, most_recent_first: bool, column_shift: int = 0
) -> Sequence[Frame]:
    """A lazy view of ``frames`` with each frame mapped when it is asked for."""
    step = 1 if most_recent_first else -1

    def convert(frame: Frame, index: int) -> Frame:
        at = index + step
        caller = frames[at] if 0 <= at < len(frames) else None
        return map_frame(frame, store, caller, column_shift)

    return LazyList(frames, convert)


def map_report(report: Report, store: SourceMapStore) -> Report:
    """A copy of ``report`` whose exception and thread frames are source-mapped (lazily)."""
    order = report.most_recent_first
    shift = 1 if columns_from_zero(report) else 0
    return dataclasses.replace(
        report,
        exceptions=[
            dataclasses.replace(e, frames=map_frames(e.frames, store, order, shift)) for e in report.exceptions
        ],
        threads=[dataclasses.replace(t, frames=map_frames(t.frames, store, order, shift)) for t in report.threads],
        _frame_count=None,
    )


#: Formats whose frames can be minified JavaScript (``file:line:column``); others (minidumps, Apple reports,
#: App Center) are left exactly as they are.
JS_FORMATS = ("rollbar", "backtrace")


def map_reports(reports: list[Report], store: SourceMapStore | None) -> list[Report]:
    """The reports source-mapped through ``store``; the same list when there are no maps to apply."""
    if not store:
        return reports
    return [map_report(r, store) if r.format in JS_FORMATS else r for r in reports]


def preload(reports: list[Report], store: SourceMapStore, limit: int = 100_000) -> int:
    """Find and decode every map the reports' frames need (for a worker thread, before the views ask).
    Returns how many frames a map covers; looks at ``limit`` frames at most."""
    seen: set[str] = set()
    covered = looked = 0
    for report in reports:
        stacks: list[Sequence[Frame]] = [e.frames for e in report.exceptions] + [t.frames for t in report.threads]
        for frames in stacks:
            for frame in frames:
                looked += 1
                if looked > limit:
                    return covered
                if frame.file and frame.file not in seen:
                    seen.add(frame.file)
                    store.map_for(frame.file)
                if frame.file and store.map_for(frame.file) is not None:
                    covered += 1
    return covered


def _mapped_from(frame: Frame) -> str | None:
    note = frame.note or ""
    marker = "source-mapped from "
    return note.split(marker, 1)[1].split(" (", 1)[0].split(",", 1)[0] if marker in note else None


def apply_for_cli(reports: list[Report], paths: list[str], per_stack: int = 200) -> tuple[list[Report], dict[str, Any]]:
    """``show --sourcemaps``: the mapped reports and the JSON it adds (``sourcemaps``: every stack's frames,
    most recent first, each with ``mapped_from`` the minified ``file:line:column`` or null)."""
    store = SourceMapStore(paths)
    preload(reports, store)
    mapped = map_reports(reports, store)
    out_reports = []
    count = 0
    for report in mapped:
        stacks = [(f"exception {e.type or '?'}", e.frames) for e in report.exceptions]
        stacks += [(f"thread {t.name or t.id}", t.frames) for t in report.threads]
        listed = []
        for name, frames in stacks:
            order = range(len(frames)) if report.most_recent_first else range(len(frames) - 1, -1, -1)
            rows = []
            for i in list(order)[:per_stack]:
                frame = frames[i]
                origin = _mapped_from(frame)
                count += origin is not None
                rows.append(
                    {
                        "function": frame.function,
                        "file": frame.file,
                        "line": frame.line,
                        "column": frame.column,
                        "mapped_from": origin,
                    }
                )
            listed.append({"stack": name, "frames": rows})
        out_reports.append({"stacks": listed})
    if count == 0:
        store.problems.append("no frame was mapped: no frame's file has a source map in the given paths")
    info = {
        "paths": [str(p) for p in paths],
        "maps": sorted({m.origin for m in store._maps.values() if m is not None}),
        "mapped_frames": count,
        "reports": out_reports,
        "problems": list(store.problems),
    }
    return mapped, info


__all__ = ["SourceMapStore", "apply_for_cli", "map_frame", "map_report", "map_reports", "preload"]
