"""JavaScript source maps (revision 3): decode ``mappings`` and find the original position of a generated one.

Why our own decoder: the PyPI packages that read source maps are unmaintained (``sourcemap`` 0.2.1 and
``libsourcemap`` 0.8.2, both 2017; ``python-sourcemaps`` 2015), and Sentry's ``symbolic`` (maintained, with a
source-map module) has wheels for Linux and macOS only. The format is small: Base64 VLQ segments, ``;`` per
generated line, fields relative to the previous segment. We decode once into flat integer arrays (20 bytes a
segment, no Python object per segment) and binary-search a generated line's columns, as Mozilla's
``source-map`` does with its GREATEST_LOWER_BOUND bias. Linear in the map's size on any input; bad input is an
:class:`InspectorError` naming the map and the place. Index maps (``sections``) are read section by section.

Positions: lines and columns are 0-based in a map; the stacks of V8, Firefox and the SDKs' frames are 1-based.
:meth:`SourceMap.lookup` takes and returns 1-based lines and columns.
"""

from __future__ import annotations

import base64
import bisect
import json
import posixpath
from array import array
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

from inspector.formats.base import InspectorError

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
#: A VLQ value wider than this is not a position (a hostile map): refused rather than grown without bound.
_MAX_SHIFT = 60


@dataclass(frozen=True, slots=True)
class Original:
    """Where a generated position came from: ``source`` as the map names it, 1-based ``line`` and ``column``."""

    source: str | None
    line: int
    column: int
    name: str | None
    source_index: int


def _decode_segment(text: str, where: str) -> list[int]:
    values: list[int] = []
    value = shift = 0
    for char in text:
        digit = _B64.get(char)
        if digit is None:
            raise InspectorError(f"{where}: {char!r} is not a Base64 VLQ digit", where=where)
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
            if shift > _MAX_SHIFT:
                raise InspectorError(f"{where}: a VLQ number longer than {_MAX_SHIFT} bits", where=where)
            continue
        values.append(-(value >> 1) if value & 1 else value >> 1)
        value = shift = 0
    if shift:
        raise InspectorError(f"{where}: the mappings end inside a VLQ number", where=where)
    return values


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    return value if isinstance(value, list) else []


class SourceMap:
    """A decoded regular (non-index) map. ``sources`` are the map's names joined to ``sourceRoot``."""

    def __init__(self, data: dict[str, Any], *, name: str = "source map") -> None:
        self.name = name
        if not isinstance(data, dict):
            raise InspectorError(f"{name}: a source map is a JSON object")
        if data.get("version") not in (3, "3", None):
            raise InspectorError(f"{name}: version {data.get('version')!r}; only revision 3 maps are read")
        root = data.get("sourceRoot") if isinstance(data.get("sourceRoot"), str) else ""
        sources = _list(data, "sources")
        self.sources = [
            (posixpath.join(root, s) if root and not s.startswith(("/", "webpack:")) and "://" not in s else s)
            if isinstance(s, str)
            else None
            for s in sources
        ]
        names = _list(data, "names")
        self.names = [n if isinstance(n, str) else None for n in names]
        content = _list(data, "sourcesContent")
        self.sources_content: list[str | None] = [c if isinstance(c, str) else None for c in content]
        self.file = data.get("file") if isinstance(data.get("file"), str) else None
        mappings = data.get("mappings")
        if not isinstance(mappings, str):
            raise InspectorError(f"{name}: no 'mappings' string")
        self._decode(mappings)

    def _decode(self, mappings: str) -> None:
        try:
            self._decode_lines(mappings)
        except OverflowError:  # a position beyond 32 bits: no real file has one
            raise InspectorError(f"{self.name}: the mappings hold a position beyond 2^31") from None

    def _decode_lines(self, mappings: str) -> None:
        """Fill the flat arrays: per generated line the slice [line_start[l], line_start[l+1]) of segments."""
        self.line_start = array("i", [0])
        self.gen_col, self.src = array("i"), array("i")
        self.orig_line, self.orig_col, self.name_idx = array("i"), array("i"), array("i")
        src = orig_line = orig_col = name = 0
        gen_col, srcs, lines, cols, names = self.gen_col, self.src, self.orig_line, self.orig_col, self.name_idx
        for line_no, line in enumerate(mappings.split(";")):
            col = 0
            start = len(gen_col)
            ordered = True
            for segment in line.split(","):
                if not segment:
                    continue
                fields = _decode_segment(segment, f"{self.name}: mappings line {line_no + 1}")
                step = fields[0] if fields else 0
                ordered = ordered and (step >= 0 or len(gen_col) == start)
                col += step
                if len(fields) >= 4:
                    src += fields[1]
                    orig_line += fields[2]
                    orig_col += fields[3]
                    if len(fields) >= 5:
                        name += fields[4]
                    gen_col.append(col)
                    srcs.append(src)
                    lines.append(orig_line)
                    cols.append(orig_col)
                    names.append(name if len(fields) >= 5 else -1)
                elif len(fields) == 1:  # generated code that maps to no source
                    gen_col.append(col)
                    for column in (srcs, lines, cols, names):
                        column.append(-1)
            if not ordered:  # maps must be sorted by column; some tools are not
                order = sorted(range(start, len(gen_col)), key=gen_col.__getitem__)
                for column in (gen_col, srcs, lines, cols, names):
                    column[start:] = array("i", [column[i] for i in order])
            self.line_start.append(len(gen_col))

    @property
    def segments(self) -> int:
        return len(self.gen_col)

    def lookup(self, line: int, column: int) -> Original | None:
        """The original position of 1-based generated ``line``:``column`` (the closest mapped segment at or
        before it on that line), or None where the map says nothing."""
        row = line - 1
        if not 0 <= row < len(self.line_start) - 1:
            return None
        lo, hi = self.line_start[row], self.line_start[row + 1]
        index = bisect.bisect_right(self.gen_col, column - 1, lo, hi) - 1
        if index < lo:
            return None
        src = self.src[index]
        if src < 0:
            return None
        name_index = self.name_idx[index]
        return Original(
            source=self.sources[src] if src < len(self.sources) else None,
            line=self.orig_line[index] + 1,
            column=self.orig_col[index] + 1,
            name=self.names[name_index] if 0 <= name_index < len(self.names) else None,
            source_index=src,
        )

    def source_text(self, index: int) -> str | None:
        """``sourcesContent`` of a source, when the map carries it."""
        return self.sources_content[index] if 0 <= index < len(self.sources_content) else None


class IndexMap:
    """An index map: ``sections`` of maps, each at a generated (line, column) offset."""

    def __init__(self, data: dict[str, Any], *, name: str = "source map") -> None:
        self.name = name
        self.file = data.get("file") if isinstance(data.get("file"), str) else None
        self.offsets: list[tuple[int, int]] = []
        self.maps: list[SourceMap] = []
        sections = data.get("sections")
        for number, section in enumerate(sections if isinstance(sections, list) else []):
            where = f"{name}: section {number}"
            offset = section.get("offset") if isinstance(section, dict) else None
            inner = section.get("map") if isinstance(section, dict) else None
            if not isinstance(offset, dict) or not isinstance(inner, dict):
                raise InspectorError(f"{where}: needs 'offset' and an embedded 'map' (a 'url' is not followed)")
            line, column = offset.get("line"), offset.get("column")
            if not isinstance(line, int) or not isinstance(column, int):
                raise InspectorError(f"{where}: offset line and column must be integers")
            self.offsets.append((line, column))
            self.maps.append(SourceMap(inner, name=where))

    @property
    def segments(self) -> int:
        return sum(m.segments for m in self.maps)

    def lookup(self, line: int, column: int) -> tuple[SourceMap, Original] | None:
        at = bisect.bisect_right(self.offsets, (line - 1, column - 1)) - 1
        if at < 0:
            return None
        off_line, off_col = self.offsets[at]
        inner_line = line - off_line
        inner_col = column - off_col if line - 1 == off_line else column
        found = self.maps[at].lookup(inner_line, inner_col)
        return (self.maps[at], found) if found is not None else None


AnyMap = SourceMap | IndexMap


def lookup(source_map: AnyMap, line: int, column: int) -> tuple[SourceMap, Original] | None:
    """The (regular map, original position) of a 1-based generated position in either kind of map."""
    if isinstance(source_map, IndexMap):
        return source_map.lookup(line, column)
    found = source_map.lookup(line, column)
    return (source_map, found) if found is not None else None


def parse_source_map(raw: bytes, name: str = "source map") -> AnyMap:
    """Decode a map file's bytes (the ``)]}'`` XSSI prefix some servers add is skipped)."""
    text = raw.decode("utf-8-sig", "replace").lstrip()
    if text.startswith(")]}'"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InspectorError(f"{name}: not JSON ({exc})") from None
    except RecursionError:
        raise InspectorError(f"{name}: not a source map (JSON nested too deep)") from None
    if isinstance(data, dict) and "sections" in data:
        return IndexMap(data, name=name)
    return SourceMap(data, name=name)


def decode_data_url(url: str, name: str = "inline source map") -> bytes:
    """The bytes of a ``data:`` URL (``;base64`` or percent-encoded)."""
    head, sep, payload = url.partition(",")
    if not sep:
        raise InspectorError(f"{name}: a data: URL without a comma")
    if head.lower().endswith(";base64"):
        try:
            return base64.b64decode(payload.strip(), validate=False)
        except ValueError as exc:
            raise InspectorError(f"{name}: bad Base64 ({exc})") from None
    return unquote_to_bytes(payload)
