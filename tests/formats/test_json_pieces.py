"""Parsing in pieces gives exactly what one orjson call gives, or says it cannot (never a different value)."""

from __future__ import annotations

import json
import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.formats import json_pieces, lazy_json
from inspector.formats.json_pieces import Unsplittable, loads_in_pieces
from inspector.formats.jsondoc import parse_json

#: Examples per property; ``CRASH_INSPECTOR_FUZZ_EXAMPLES=100000`` for the nightly run (as tests/fuzz).
EXAMPLES = max(400, int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "0")))


@pytest.fixture
def tiny_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces and windows of a few bytes, so small documents are split as much as 100 MB ones are."""
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 48)
    monkeypatch.setattr(json_pieces, "FIRST_WINDOW", 8)
    monkeypatch.setattr(json_pieces, "SPLIT_WINDOW", 16)
    monkeypatch.setattr(json_pieces, "COUNT_BLOCK", 8)  # bracket counts of 8-byte blocks remembered


# strings full of what could fool a boundary search: quotes, brackets, commas, colons, escapes, non-ASCII
tricky_text = st.text(alphabet=st.sampled_from(list('ab{}[],:"\\ é€😀\n\t/')), max_size=12)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | tricky_text
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(tricky_text, children, max_size=6),
    max_leaves=60,
)
containers = st.lists(values, min_size=0, max_size=12) | st.dictionaries(tricky_text, values, max_size=12)


def _serialize(value: object, style: int) -> bytes:
    if style == 0:
        return orjson.dumps(value)
    if style == 1:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2)
    return json.dumps(value, indent="\t", ensure_ascii=style == 2).encode()


def _same(a: object, b: object) -> bool:
    # equal values in the same key order (read through the containers' methods: they may be chunked, lazy_json)
    return orjson.dumps(lazy_json.plain(a)) == orjson.dumps(lazy_json.plain(b))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(containers, st.integers(0, 3))
def test_valid_documents_parse_to_the_same_value(tiny_pieces: None, value: object, style: int) -> None:
    data = _serialize(value, style)
    try:
        got = loads_in_pieces(data)
    except Unsplittable:
        return  # allowed: the caller parses it whole
    assert _same(got, orjson.loads(data))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(containers, st.integers(0, 3), st.data())
def test_broken_documents_never_give_a_wrong_value(tiny_pieces: None, value: object, style: int, data) -> None:
    raw = bytearray(_serialize(value, style))
    if not raw:
        return
    for _ in range(data.draw(st.integers(1, 3))):  # cut, insert or flip a byte
        at = data.draw(st.integers(0, len(raw)))
        kind = data.draw(st.sampled_from(["cut", "insert", "flip"]))
        if kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = data.draw(st.sampled_from([b",", b"}", b"]", b'"', b"{", b"[", b"\xff", b" 1"]))
        elif at < len(raw):
            raw[at] ^= data.draw(st.integers(1, 255))
        if not raw:
            return
    _never_a_wrong_value(bytes(raw))


def _never_a_wrong_value(blob: bytes) -> None:
    """Parsed in pieces, ``blob`` gives orjson's value, or Unsplittable (then parsed whole); never an invalid document
    accepted, never another value."""
    try:
        expected: object = orjson.loads(blob)
    except orjson.JSONDecodeError:
        expected = Unsplittable
    try:
        got = loads_in_pieces(blob)
    except Unsplittable:
        return
    assert expected is not Unsplittable, "an invalid document was accepted"
    assert _same(got, expected)


def _backtrace_like(threads: int, frames: int) -> dict:
    return {
        "uuid": "u",
        "attributes": {"a": 1, "b": [1, 2, {"c": "}{"}]},
        "threads": {
            str(t): {"name": f"thread-{t}", "stack": [{"funcName": f"f{t}_{i}", "line": i} for i in range(frames)]}
            for t in range(threads)
        },
        "mainThread": "0",
    }


def _appcenter_like(logs: int) -> dict:
    exception = {"type": "System.Exception", "frames": [{"methodName": "m", "lineNumber": 1}] * 3}
    return {"logs": [{"type": "managedError", "id": str(i), "exception": exception} for i in range(logs)]}


@pytest.mark.parametrize("value", [_backtrace_like(40, 5), _appcenter_like(30)], ids=["backtrace", "appcenter"])
@pytest.mark.parametrize("pretty", [False, True])
def test_big_containers_are_split_into_small_calls(
    tiny_pieces: None, monkeypatch: pytest.MonkeyPatch, value: dict, pretty: bool
) -> None:
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)
    sizes: list[int] = []
    real = orjson.loads

    def counting(chunk: bytes | memoryview) -> object:
        sizes.append(len(chunk))
        return real(chunk)

    monkeypatch.setattr(json_pieces.orjson, "loads", counting)
    got = loads_in_pieces(data)
    monkeypatch.undo()
    assert _same(got, value)
    assert len(sizes) > 20, "the document was not split"
    assert max(sizes) < len(data) / 4, f"one call read {max(sizes)} of {len(data)} bytes"


def test_parse_json_uses_pieces_above_the_duplicate_scan_limit(
    tiny_pieces: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inspector.formats import jsondoc

    monkeypatch.setattr(jsondoc, "DUPLICATE_SCAN_LIMIT", 100)
    monkeypatch.setattr(jsondoc, "PIECES_FROM", 100)
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 64)
    value = _backtrace_like(30, 4)
    data = orjson.dumps(value)
    calls: list[int] = []
    real = orjson.loads
    monkeypatch.setattr(json_pieces.orjson, "loads", lambda d: calls.append(len(d)) or real(d))
    got, problems = parse_json(data)
    monkeypatch.undo()
    assert len(calls) > 5 and max(calls) < len(data) / 4, "not parsed in pieces"
    assert _same(got, value)
    assert any("duplicate-key check skipped" in p.message for p in problems)
    # a syntax error still gets the whole-document message with line and column
    with pytest.raises(Exception) as err:
        parse_json(data[:-40] + b"}")
    assert "line 1 column" in str(getattr(err.value, "where", "")) + str(err.value)


# Objects written from lists of pairs, so keys may repeat; keys and strings full of colons, some escaped.
_colon_text = st.text(alphabet=st.sampled_from(list('k:"\\\\ é{}')), max_size=6)
_pairs_values = st.recursive(
    st.none() | st.integers(-5, 5) | _colon_text,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(st.tuples(st.sampled_from(["a", "b", "c:", "d"]) | _colon_text, children), max_size=5).map(
            lambda pairs: ("pairs", pairs)
        )
    ),
    max_leaves=30,
)


def _write(value: object, escape_colons: bool) -> str:
    if isinstance(value, tuple) and value and value[0] == "pairs":
        return "{" + ",".join(f"{_write_str(k, escape_colons)}:{_write(v, escape_colons)}" for k, v in value[1]) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_write(v, escape_colons) for v in value) + "]"
    if isinstance(value, str):
        return _write_str(value, escape_colons)
    return json.dumps(value)


def _write_str(text: str, escape_colons: bool) -> str:
    out = json.dumps(text, ensure_ascii=False)
    return out.replace(":", "\\u003a") if escape_colons else out


@settings(max_examples=EXAMPLES, deadline=None)
@given(_pairs_values.filter(lambda v: isinstance(v, tuple)), st.booleans())
def test_duplicate_keys_are_found_as_the_standard_library_finds_them(value: object, escape_colons: bool) -> None:
    from inspector.formats.jsondoc import _DuplicateCollector

    text = _write(value, escape_colons)
    collector = _DuplicateCollector()
    expected = json.loads(text, object_pairs_hook=collector)
    got, problems = parse_json(text.encode())
    assert _same(got, expected)
    found = {p.message for p in problems if "more than once" in p.message}
    message = "key {!r} appears more than once in one object; the last value wins"
    assert found == {message.format(key) for key in collector.duplicates}


# Wide objects (a Rollbar ``custom``, Backtrace ``attributes``/``annotations``): many small members, some nested.
wide_objects = st.dictionaries(tricky_text, scalars | st.lists(scalars, max_size=3), min_size=20, max_size=200)
wide_values = st.fixed_dictionaries(
    {"data": st.fixed_dictionaries({"custom": wide_objects, "frames": st.lists(values, max_size=20)})}
) | st.fixed_dictionaries({"attributes": wide_objects, "annotations": st.dictionaries(tricky_text, values)})


@settings(max_examples=EXAMPLES // 4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(wide_values, st.integers(0, 3))
def test_wide_objects_parse_to_the_same_value(tiny_pieces: None, value: object, style: int) -> None:
    data = _serialize(value, style)
    try:
        got = loads_in_pieces(data)
    except Unsplittable:
        return
    assert _same(got, orjson.loads(data))


def _count_calls(monkeypatch: pytest.MonkeyPatch, data: bytes) -> tuple[object, list[int]]:
    sizes: list[int] = []
    real = orjson.loads

    def counting(chunk: bytes | memoryview) -> object:
        sizes.append(len(chunk))
        return real(chunk)

    monkeypatch.setattr(json_pieces.orjson, "loads", counting)
    got = loads_in_pieces(data)
    monkeypatch.undo()
    return got, sizes


@pytest.mark.parametrize(
    "value",
    [
        {"access_token": "t", "data": {"level": "error", "custom": {f"key{i}": i for i in range(5000)}}},
        {"attributes": {f"a.{i}": f"v{i}" for i in range(5000)}, "annotations": {f"n{i}": [i] for i in range(3000)}},
        {"logs": [f"line {i}, with a comma" for i in range(5000)]},
        {"numbers": list(range(20000))},
    ],
    ids=["custom", "attributes", "strings", "numbers"],
)
@pytest.mark.parametrize("pretty", [False, True])
def test_wide_containers_take_few_calls(monkeypatch: pytest.MonkeyPatch, value: dict, pretty: bool) -> None:
    """A member at a time was one orjson call (and one copy of a window) per key: 330 000 calls for a real item.
    Pieces of about PIECE_BYTES keep the count near size / PIECE_BYTES."""
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 4096)
    monkeypatch.setattr(json_pieces, "FIRST_WINDOW", 256)
    monkeypatch.setattr(json_pieces, "SPLIT_WINDOW", 1024)
    data = orjson.dumps(value, option=orjson.OPT_INDENT_2 if pretty else 0)
    got, sizes = _count_calls(monkeypatch, data)
    assert _same(got, value)
    assert len(sizes) <= 4 * len(data) / 4096 + 40, f"{len(sizes)} calls for {len(data)} bytes"
    assert max(sizes) <= 3 * 4096, "one call read too much at once"


@pytest.mark.parametrize(
    "value",
    [
        {"logs": [{"type": "errorAttachment", "data": "QUJD" * 20000}, {"type": "x", "data": "b"}]},
        {"message": 'say "hi" \\ back\\slash, {} [] é€😀\n' * 3000, "after": [1, 2]},
        {"deep": json.loads("[" * 100 + "1" + "]" * 100), "wide": list(range(3000))},
    ],
    ids=["base64", "long-string", "deep"],
)
def test_long_strings_and_deep_nesting_parse_alike(monkeypatch: pytest.MonkeyPatch, value: dict) -> None:
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 4096)
    data = orjson.dumps(value)
    got, sizes = _count_calls(monkeypatch, data)
    assert _same(got, value)
    assert len(sizes) <= 2 * len(data) / 4096 + 40


# Documents that orjson reads with a loss: keys repeated in one object, integers beyond 64 bits (read as floats).
_lossy_values = st.recursive(
    st.none() | st.integers(-(2**70), 2**70) | _colon_text | tricky_text,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(st.tuples(st.sampled_from(["a", "b", "c:"]) | tricky_text, children), max_size=6).map(
            lambda pairs: ("pairs", pairs)
        )
    ),
    max_leaves=40,
)


def _has_big(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -(2**63) <= value <= 2**64 - 1
    if isinstance(value, dict):
        return any(_has_big(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_big(v) for v in value)
    return False


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_lossy_values.filter(lambda v: isinstance(v, (tuple, list))), st.booleans(), st.booleans())
def test_checked_pieces_report_every_loss(tiny_pieces: None, value: object, escape_colons: bool, split: bool) -> None:
    """loads_checked says when orjson lost data (a repeated key, an integer beyond 64 bits), with the document in
    pieces of a few bytes; when it says nothing was lost, its value is the standard library's."""
    from inspector.formats.jsondoc import _DuplicateCollector

    text = _write(value, escape_colons)
    collector = _DuplicateCollector()
    expected = json.loads(text, object_pairs_hook=collector)
    parsed = json_pieces.loads_checked(text.encode(), members=True, split=split)
    if collector.duplicates:
        assert parsed.members_lost
    if _has_big(expected):
        assert parsed.big_int
    if not parsed.members_lost and not parsed.big_int:
        assert _same(parsed.value, expected)


def test_long_strings_are_not_scanned_for_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Digits in a long string parsed alone are no integer; a big integer beside it is found."""
    for name, size in (("PIECE_BYTES", 4096), ("SEPARATOR_REACH", 4096), ("SIGNATURE_REACH", 8192)):
        monkeypatch.setattr(json_pieces, name, size)
    digits = "1234567890" * 20000
    data = orjson.dumps({"logs": [{"type": "a", "data": digits}, {"type": "b", "data": digits}]})
    scanned: list[int] = []
    real = json_pieces._has_big_int
    monkeypatch.setattr(json_pieces, "_has_big_int", lambda raw, s, e: scanned.append(e - s) or real(raw, s, e))
    parsed = json_pieces.loads_checked(data, members=True)
    assert not parsed.big_int and not parsed.members_lost
    assert _same(parsed.value, orjson.loads(data))
    assert sum(scanned) < len(data) / 10, "the long strings were scanned"
    big = data.replace(b'"type":"b"', b'"type":123456789012345678901234')
    assert json_pieces.loads_checked(big, members=True).big_int


def test_a_trailing_comma_is_never_accepted(tiny_pieces: None) -> None:
    for data in (b'{"a":[1,2,3],"b":[[1],[]],}', b"[[1,2],[3],]", b'{"a":{"b":1},}'):
        with pytest.raises(Unsplittable):
            loads_in_pieces(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600).map(lambda b: bytes(b"{}[]x"[c % 5] for c in b)), st.data())
def test_block_counts_add_up_like_a_direct_count(monkeypatch: pytest.MonkeyPatch, data: bytes, draw) -> None:
    """The bracket balance from remembered block counts equals counting the bytes, for any ranges, in any order."""
    monkeypatch.setattr(json_pieces, "COUNT_BLOCK", 16)
    blocks: dict[tuple[bytes, int], int] = {}
    for _ in range(draw.draw(st.integers(1, 8))):
        start = draw.draw(st.integers(0, len(data)))
        end = draw.draw(st.integers(start, len(data)))
        for opener, closer in ((b"{", b"}"), (b"[", b"]")):
            expected = data.count(opener, start, end) - data.count(closer, start, end)
            assert json_pieces._net(data, opener, closer, start, end, blocks) == expected
