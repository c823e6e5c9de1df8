"""Big containers kept as chunks of the bytes (lazy_json) read, serialize, edit and undo exactly as plain values do.

The reference is orjson's own reading of the same bytes (and, for edits, the same edits applied to a plain
document). Pieces, windows and the decoded-chunk cache are made tiny, so documents of a few hundred bytes are cut
into many chunks and every read decodes again, as a 100 MB document's are.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.formats import json_pieces, jsondoc, lazy_chunks, lazy_json, load_bytes, reports, validate
from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import Document, Edit, dumps, parse_json, walk
from inspector.formats.lazy_json import ChunkedDict, ChunkedList, is_chunked, plain
from tests.conftest import corpus_files

EXAMPLES = max(60, int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "0")) // 4)
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every document is big: pieces of ~64 bytes, containers below the top level chunked, one chunk cached."""
    monkeypatch.setattr(jsondoc, "PIECES_FROM", 0)
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 64)
    monkeypatch.setattr(json_pieces, "FIRST_WINDOW", 16)
    monkeypatch.setattr(json_pieces, "SPLIT_WINDOW", 32)
    monkeypatch.setattr(json_pieces, "CHUNK_ELEMENT_MAX", 512)
    monkeypatch.setattr(json_pieces, "COUNT_BLOCK", 8)
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 0)
    monkeypatch.setattr(lazy_json, "OUTLINE_FROM", 8)
    monkeypatch.setattr(lazy_chunks, "CACHE_MIN", 0)
    monkeypatch.setattr(lazy_chunks, "CACHE_MAX", 1)  # a budget of one byte: only the last chunk read stays decoded


text = st.text(alphabet=st.sampled_from(list('ab{}[],:"\\ é😀\n')), max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
values = st.recursive(
    scalars, lambda kids: st.lists(kids, max_size=5) | st.dictionaries(text, kids, max_size=5), max_leaves=25
)
records = st.dictionaries(text, values, min_size=1, max_size=4)
#: Documents shaped like crash payloads: a few big containers of records (threads, logs, frames) beside scalars.
documents = st.dictionaries(
    text,
    st.lists(records, min_size=3, max_size=25) | st.dictionaries(text, records, min_size=3, max_size=25) | values,
    min_size=1,
    max_size=5,
)


def _bytes(value: Any, pretty: bool) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)


def _same(a: Any, b: Any) -> bool:
    """Equal values with the same key order."""
    return orjson.dumps(plain(a)) == orjson.dumps(plain(b))


def _has_chunks(value: Any) -> bool:
    return any(is_chunked(v) for _, v in walk(value))


@SETTINGS
@given(documents, st.booleans())
def test_a_chunked_document_reads_and_writes_as_orjson_reads_it(chunked: None, value: Any, pretty: bool) -> None:
    data = _bytes(value, pretty)
    reference = orjson.loads(data)
    got, problems = parse_json(data)
    assert not [p for p in problems if p.severity.value == "error"]
    assert _same(got, reference)
    assert got == reference and reference == got  # both sides' equality, through the containers' methods
    assert orjson.loads(dumps(got)) == reference and _same(orjson.loads(dumps(got)), reference)
    assert dumps(got, pretty=True) == orjson.dumps(reference, option=orjson.OPT_INDENT_2) + b"\n"
    assert _same(copy.deepcopy(got), reference)
    for pointer, node in walk(reference):  # every pointer resolves to the same value, lengths and keys agree
        found = jsondoc.resolve(got, pointer)
        assert _same(found, node)
        if isinstance(node, dict | list):
            assert len(found) == len(node)
            assert list(found) == list(node)
        if isinstance(node, dict):
            assert list(found.keys()) == list(node.keys())
            assert [plain(v) for v in found.values()] == list(node.values())
            assert all(k in found for k in node)
        if isinstance(node, list) and node:
            assert plain(found[-1]) == node[-1] and [plain(v) for v in found[1:3]] == node[1:3]
            assert [plain(v) for v in reversed(found)] == node[::-1]
            size = len(node)
            for start, stop in ((0, None), (1, size - 1), (size // 2, size + 3), (-2, None), (size, 1)):
                between = getattr(found, "between", None)  # chunked: a chunk at a time; report.LazyList reads it
                if between is not None:
                    assert [plain(v) for v in between(start, stop)] == node[start:stop]


def _in_a_chunk(value: Any, pointer: str) -> bool:
    """Whether the pointer goes through a chunked container (to a value decoded from the bytes when read)."""
    node = value
    for token in jsondoc.split(pointer)[:-1]:
        if is_chunked(node):
            return True
        node = node.get(token) if isinstance(node, dict) else node[int(token)]
    return is_chunked(node)


@SETTINGS
@given(documents, st.data())
def test_edits_and_undo_on_a_chunked_document_match_a_plain_one(chunked: None, value: Any, data: st.DataObject) -> None:
    raw = _bytes(value, pretty=False)
    lazy = Document.from_bytes(raw)
    plain_doc = Document.from_value(orjson.loads(raw))
    undo: list[tuple[Edit, Edit]] = []
    for _ in range(data.draw(st.integers(1, 6))):
        pointers = [p for p, _ in walk(plain_doc.value) if p]
        if not pointers:
            break
        inside = [p for p in pointers if _in_a_chunk(lazy.value, p)]  # half the edits inside chunks when any
        pointer = data.draw(st.sampled_from(inside if inside and data.draw(st.booleans()) else pointers))
        parent = jsondoc.resolve(plain_doc.value, jsondoc.join("", *jsondoc.split(pointer)[:-1]))
        new = data.draw(values)
        choices = ["set", "remove"] + (["insert"] if isinstance(parent, list) else [])
        op = data.draw(st.sampled_from(choices))
        # each document gets its own copy of the new value (a shared one would change in both at the next edit)
        undo.append((plain_doc.apply(Edit(op, pointer, copy.deepcopy(new))), lazy.apply(Edit(op, pointer, new))))
        assert _same(lazy.value, plain_doc.value)
        assert orjson.loads(lazy.to_bytes()) == plain_doc.value  # the bytes a save writes
        assert lazy.to_bytes(pretty=True) == plain_doc.to_bytes(pretty=True)
    for plain_inverse, lazy_inverse in reversed(undo):
        assert plain_inverse == lazy_inverse or _same(plain_inverse.value, lazy_inverse.value)
        plain_doc.apply(plain_inverse)
        lazy.apply(lazy_inverse)
        assert _same(lazy.value, plain_doc.value)
    assert _same(lazy.value, orjson.loads(raw))
    assert orjson.loads(lazy.to_bytes()) == orjson.loads(raw)


def test_documents_below_the_threshold_stay_plain_and_above_it_are_chunked(chunked: None) -> None:
    value = {"threads": {str(i): {"name": f"t{i}", "stack": [{"f": j} for j in range(20)]} for i in range(40)}}
    data = orjson.dumps(value)
    lazy_json.LAZY_FROM = len(data)  # (the fixture's monkeypatch restores it)
    at, _ = parse_json(data)
    assert not _has_chunks(at) and at == value
    lazy_json.LAZY_FROM = len(data) - 1
    above, _ = parse_json(data)
    assert isinstance(above["threads"], ChunkedDict) and _same(above, value)
    assert len(above["threads"]._segments) > 10  # cut into many chunks, not kept whole


def test_the_decoded_chunk_cache_stays_within_its_budget(chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lazy_chunks, "CACHE_MAX", 2048)
    monkeypatch.setattr(lazy_chunks, "CACHE_MIN", 2048)
    frames = [{"function": f"f{i}", "line": i} for i in range(3000)]
    got, _ = parse_json(orjson.dumps({"data": {"frames": frames}}))
    chunks = got["data"]["frames"]
    assert isinstance(chunks, ChunkedList)
    assert [f["function"] for f in chunks] == [f["function"] for f in frames]
    source = chunks._source
    assert 0 < source.used <= 2048 + max(c.stop - c.start for c in source.decoded)
    assert len(source.decoded) < len(chunks._segments) / 4


def test_the_search_text_of_a_chunked_list_is_read_a_chunk_at_a_time(chunked: None) -> None:
    """The filter's search index reads rows' texts 65 536 at a time: of a chunked list of frames, that must not hold
    every frame of the block decoded at once (150 000 Rollbar frames with source lines: 72 MB held, 3.9x the file)."""
    import tracemalloc

    from inspector.report import LazyList

    frames = [{"method": f"m{i}", "code": "x" * 400} for i in range(5000)]
    got, _ = parse_json(orjson.dumps({"data": {"frames": frames}}))
    chunked_frames = got["data"]["frames"]
    assert isinstance(chunked_frames, ChunkedList)
    rows = LazyList(lazy_json.Deferred(lambda: chunked_frames), lambda raw, _i: raw, text_of=lambda raw: raw["method"])

    def peak(read: Any) -> tuple[Any, int]:
        tracemalloc.start()
        try:
            return read(), tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    texts, through_texts = peak(lambda: rows.texts(0, len(frames)))
    sliced, through_a_slice = peak(lambda: [f["method"] for f in chunked_frames[0 : len(frames)]])
    assert texts == sliced == [f["method"] for f in frames]
    assert through_texts < through_a_slice / 4  # (~0.4 MB of texts against ~3 MB of frames held by a slice)


def test_an_edit_inside_a_chunk_survives_the_cache_and_is_saved(chunked: None) -> None:
    value = {"logs": [{"type": "x", "frames": [{"line": i} for i in range(300)]} for i in range(8)]}
    doc = Document.from_bytes(orjson.dumps(value))
    assert _has_chunks(doc.value)
    undo = doc.apply(Edit("set", "/logs/7/frames/3/line", 999))
    for log in doc.value["logs"]:  # read everything: every other chunk goes through the one-chunk cache
        list(log["frames"])
    assert doc.value["logs"][7]["frames"][3]["line"] == 999
    assert orjson.loads(doc.to_bytes())["logs"][7]["frames"][3]["line"] == 999
    doc.apply(undo)
    assert _same(doc.value, value)


def test_structural_changes_of_a_chunked_array_keep_every_element(chunked: None) -> None:
    value = {"a": {"items": [{"k": i, "v": "x" * (i % 7)} for i in range(60)]}}
    got, _ = parse_json(orjson.dumps(value))
    items = got["a"]["items"]
    expected = copy.deepcopy(value["a"]["items"])
    assert isinstance(items, ChunkedList)
    items.insert(5, {"new": 1})
    expected.insert(5, {"new": 1})
    items.pop()
    expected.pop()
    items[7] = "seven"
    expected[7] = "seven"
    del items[0]
    del expected[0]
    assert items == expected and orjson.loads(dumps(got))["a"]["items"] == expected


def test_a_chunked_object_takes_new_and_removed_keys(chunked: None) -> None:
    value = {"t": {f"k{i}": {"n": i, "s": [i] * 3} for i in range(40)}}
    got, _ = parse_json(orjson.dumps(value))
    members = got["t"]
    assert isinstance(members, ChunkedDict)
    expected = copy.deepcopy(value["t"])
    for target in (members, expected):
        target["new"] = 1
        del target["k3"]
        target["k10"] = "ten"
        target.pop("k20")
        target.setdefault("k21", 0)
        target.update({"k22": None})
    assert list(members) == list(expected) and members == expected
    assert orjson.loads(dumps(got))["t"] == expected
    assert list(orjson.loads(dumps(got))["t"]) == list(expected)  # key order kept on save


def _reading(data: bytes, name: str) -> Any:
    """What a user sees of a payload: reports (counts, title, threads, frames, exceptions) and problems."""
    try:
        sub = load_bytes(data, source_name=name)
    except InspectorError as exc:
        return str(exc)
    found = reports(sub)
    return (
        [(r.summary.title, r.counts()) for r in found],
        [[(t.id, t.name, t.crashed, list(t.frames)) for t in r.threads] for r in found],
        [[(e.type, e.message, list(e.frames)) for e in r.exceptions] for r in found],
        [(p.severity, p.pointer, p.message) for p in validate(sub)],
    )


@pytest.mark.parametrize("path", corpus_files("backtrace", "rollbar", "appcenter"), ids=lambda p: p.name)
def test_every_json_corpus_payload_reads_the_same_chunked(
    chunked: None, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    data = path.read_bytes()
    lazy = _reading(data, path.name)
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 2**40)
    assert lazy == _reading(data, path.name)


def test_a_backtrace_error_deep_in_a_chunked_stack_is_found(chunked: None) -> None:
    threads = {
        str(t): {"name": f"t{t}", "fault": t == 0, "stack": [{"funcName": f"f{t}_{i}", "line": i} for i in range(12)]}
        for t in range(30)
    }
    threads["17"]["stack"][5]["line"] = "not a line"
    payload = {
        "uuid": "4c2b7a3e-1111-4a4a-9b9b-123456789abc",
        "timestamp": 1700000000,
        "lang": "c",
        "langVersion": "1",
        "agent": "a",
        "agentVersion": "1",
        "mainThread": "0",
        "threads": threads,
    }
    sub = load_bytes(orjson.dumps(payload), source_name="bt.json")
    assert sub.document is not None and isinstance(sub.document.value["threads"], ChunkedDict)
    assert any(p.pointer == "/threads/17/stack/5/line" for p in validate(sub))
    (report,) = reports(sub)
    assert report.crashed_thread is not None and report.crashed_thread.id == "0"
    assert report.frame_count == 30 * 12
    assert report.threads[17].frames[5].line is None or report.threads[17].frames[5].function == "f17_5"
