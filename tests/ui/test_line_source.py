"""The line sources of the big raw view (no Qt): the line index over a buffer, the pretty text kept as pieces, find
and where a pointer's value sits, checked against the plain text they stand for."""

from __future__ import annotations

import json
import random
import re

import orjson
import pytest

from inspector.formats.jsondoc import get
from inspector.ui.document import line_source
from inspector.ui.document.line_source import LineSource, PieceSource, PointerIndex, pretty_bytes


def _value(seed: int) -> dict:
    rng = random.Random(seed)
    words = ["alpha", "Beta", "naïve", "日本", "emoji 😀", "x" * 3000, "line\nbreak", ""]
    return {
        "logs": [
            {
                "id": n,
                "name": rng.choice(words),
                "frames": [{"m": rng.choice(words), "n": i, "f": rng.random()} for i in range(rng.randrange(0, 60))],
                "empty": {} if n % 2 else [],
                "nested": {"a": {"b": [rng.choice(words) for _ in range(rng.randrange(0, 300))]}},
            }
            for n in range(rng.randrange(1, 40))
        ],
        "wide": {f"k{i}": rng.choice(words) for i in range(rng.randrange(0, 500))},
        "top": None,
    }


@pytest.mark.parametrize(
    "text", ["", "a", "a\n", "a\nb", "a\nbb\nccc\n", "\n\n", "héllo\nwörld\n", "x\r\ny\r\n", "😀\n日本語"]
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_the_index_gives_the_lines_split_gives(text: str, as_bytes: bool, monkeypatch) -> None:
    monkeypatch.setattr(line_source, "INDEX_CHUNK", 3)  # many steps, newlines at every place of a step
    source = LineSource.index(text.encode() if as_bytes else text)
    expected = [line.removesuffix("\r") for line in text.split("\n")]
    assert [source.line(i) for i in range(source.line_count)] == expected
    for i in range(source.line_count):
        start = source.line_start(i)
        assert source.line_of(start) == i
        assert source.column(i, source.offset(i, len(expected[i]))) == len(expected[i])
    assert source.text(0, source.size) == text


@pytest.mark.parametrize("seed", range(6))
def test_the_pieces_read_as_the_whole_pretty_text(seed: int, monkeypatch) -> None:
    monkeypatch.setattr(line_source, "BIG_PIECE", 4000)  # containers above the root's children split too
    monkeypatch.setattr(line_source, "PIECE_CACHE", 3)  # pieces written again often
    value = _value(seed)
    whole, _root = pretty_bytes(value)
    assert whole == orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"  # as the document's text would be
    reference = LineSource.index(bytes(whole))
    pieces, root = PieceSource.build(value)
    assert pieces.size == len(whole) and pieces.line_count == reference.line_count
    assert pieces.raw(0, pieces.size) == whole
    rng = random.Random(seed)
    for line in [*range(min(50, reference.line_count)), *rng.sample(range(reference.line_count), 200)]:
        assert pieces.line_start(line) == reference.line_start(line)
        assert pieces.line(line) == reference.line(line)
    for offset in rng.sample(range(pieces.size), 300):
        assert pieces.line_of(offset) == reference.line_of(offset)
        a, b = sorted((offset, rng.randrange(pieces.size)))
        assert pieces.raw(a, b) == whole[a:b]
    assert pieces.longest >= max(len(line) for line in whole.split(b"\n"))
    index = PointerIndex(root, lambda pointer: get(value, pointer))
    for pointer in (
        "/logs/0",
        "/logs/0/frames",
        "/wide",
        "/top",
        "/logs/1/nested/a/b/0",
        f"/logs/{len(value['logs']) - 1}",
    ):
        if get(value, pointer, KeyError) is KeyError:
            assert index.span(pieces, pointer) is None
            continue
        start, end = index.span(pieces, pointer)
        assert json.loads(pieces.raw(start, end)) == get(value, pointer)
    assert index.span(pieces, "/nope") is None and index.span(pieces, "/logs/9999") is None


@pytest.mark.parametrize("seed", range(3))
def test_find_matches_a_plain_search_both_ways_across_chunks(seed: int, monkeypatch) -> None:
    monkeypatch.setattr(line_source, "FIND_CHUNK", 251)  # needles cut by the chunk edges
    monkeypatch.setattr(line_source, "LITERAL_RUN", 300)  # and by the segments' (each read is written again)
    monkeypatch.setattr(line_source, "BIG_PIECE", 4000)
    value = _value(seed)
    whole = pretty_bytes(value)[0].decode()
    pieces, _root = PieceSource.build(value)
    text = LineSource.index(whole)
    rng = random.Random(seed)
    for needle in ("naïve", "NAÏVE", '"m": "alpha"', "frames", "zzz-not-there"):
        hits = [m.start() for m in re.finditer(re.escape(needle), whole)]
        for start in rng.sample(range(len(whole)), 5):
            for backward in (False, True):
                found = text.find(needle, start, backward=backward, case=True)
                if not hits:
                    assert found is None and pieces.find(needle, 0, backward=backward, case=True) is None
                    continue
                after = [i for i in hits if (i < start if backward else i >= start)]
                wrapped = max(hits) if backward else min(hits)
                expected = (max(after) if backward else min(after)) if after else wrapped
                assert found == (expected, expected + len(needle))
                at = pieces.find(needle, len(whole[:start].encode()), backward=backward, case=True)
                assert at is not None and pieces.raw(*at).decode() == needle
                assert at[0] == len(whole[:expected].encode())
        assert (text.find(needle.upper(), 0) is None) == (text.find(needle, 0, case=False) is None)
    assert text.find("BETA", 0) is not None or "Beta" not in whole


def test_a_deep_document_is_cut_into_small_segments(monkeypatch) -> None:
    monkeypatch.setattr(line_source, "BIG_PIECE", 3000)
    monkeypatch.setattr(line_source, "LITERAL_RUN", 4000)
    value: dict = {"leaf": ["x" * 20] * 50}
    for level in range(80):  # 80 levels, a little content on each: the pretty text grows with the depth
        value = {"level": level, "name": f"n{level}", "child": value, "tail": list(range(5))}
    whole, _root = pretty_bytes(value)
    pieces, root = PieceSource.build(value)
    assert pieces.raw(0, pieces.size) == whole
    segments = [pieces._bytes(i) for i in range(len(pieces._seg_start))]
    assert b"".join(segments) == whole
    # no segment holds a whole deep subtree: each is a run of members of one level (or its brackets)
    assert max(map(len, segments)) < 4000 + 2 * 3000
    index = PointerIndex(root, lambda pointer: get(value, pointer))
    deep = "/child" * 80 + "/leaf/3"
    start, end = index.span(pieces, deep)
    assert pieces.raw(start, end) == b'"' + b"x" * 20 + b'"'


@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_window_of_a_long_line(as_bytes: bool) -> None:
    line = "a" * 5000 + "é" + "b" * 5000
    text = f"x\n{line}\nz"
    source = LineSource.index(text.encode() if as_bytes else text)
    assert source.line_part(1, 4990, 20) == line[4990:5010]
    assert source.line_part(1, 5003, 10) == line[5003:5013]  # after the accent: decoded from the line's start
    assert source.line_part(1, 10_000, 50) == line[10_000:]
    assert source.line_part(0, 0, 10) == "x"


@pytest.mark.parametrize("seed", range(2))
def test_a_chunked_document_reads_as_its_pretty_text(seed: int, monkeypatch) -> None:
    from inspector.formats import json_pieces, jsondoc, lazy_json, load_bytes
    from inspector.formats.lazy_json import is_chunked
    from inspector.services.document_text import initial_text

    monkeypatch.setattr(jsondoc, "PIECES_FROM", 256)  # the lazy document's path, as CRASH_INSPECTOR_TEST_LAZY does
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 128)
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 256)
    monkeypatch.setattr(line_source, "BIG_PIECE", 4000)
    document = load_bytes(orjson.dumps(_value(seed)), source_name="x.json").document
    value = document.value
    assert any(is_chunked(v) for v in value.values())  # containers kept as chunks of the bytes
    pieces, root = PieceSource.build(value)
    assert pieces.raw(0, pieces.size) == initial_text(document).encode()
    index = PointerIndex(root, document.get)
    for pointer in ("/logs/0/frames", "/wide", "/top"):
        start, end = index.span(pieces, pointer)
        assert json.loads(pieces.raw(start, end)) == lazy_json.plain(document.get(pointer))
