"""json_pieces on the payload shapes of issue 18 (bench "Payload shapes"): long strings read in chunks, deep nesting,
and the checks (integers beyond 64 bits, repeated keys) made on what orjson parsed."""

from __future__ import annotations

import json
import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.formats import json_pieces, json_pieces_scan
from inspector.formats.json_pieces import Unsplittable, loads_in_pieces
from tests.formats.test_json_pieces import _has_big, _lossy_values, _never_a_wrong_value, _write
from tests.formats.test_json_pieces import tiny_pieces as tiny_pieces  # (a fixture tiny_deep builds on)

#: Examples per property; ``CRASH_INSPECTOR_FUZZ_EXAMPLES=100000`` for the nightly run (as tests/fuzz).
EXAMPLES = max(300, int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "0")))


@pytest.fixture
def tiny_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings of more than 32 bytes are long (read in chunks of ~16 bytes), pieces and windows of a few bytes, and
    piece ends looked for only a few bytes on (a long string is parsed alone, not inside a piece)."""
    monkeypatch.setattr(json_pieces_scan, "LONG_STRING", 32)
    monkeypatch.setattr(json_pieces_scan, "STRING_CHUNK", 16)
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 48)
    monkeypatch.setattr(json_pieces, "FIRST_WINDOW", 8)
    monkeypatch.setattr(json_pieces, "SPLIT_WINDOW", 16)
    monkeypatch.setattr(json_pieces, "SEPARATOR_REACH", 16)  # a long string is an element parsed alone


# what could end a chunk badly: escapes of every kind, quotes, backslashes, multi-byte characters, surrogate pairs
# (among plain letters: a chunk ends where no escape is near, else the string is read in one call)
_string_alphabet = st.sampled_from(list("abcdefgh" * 3 + '"\\/\n\t\x01 é€😀'))
_string_text = st.text(alphabet=_string_alphabet, max_size=40) | st.text(
    alphabet=_string_alphabet, min_size=40, max_size=300
)


def _written(text: str, how: int) -> bytes:
    """``text`` as a JSON string: as orjson writes it, ASCII only (\\u escapes, surrogate pairs), or with every
    ``/`` and non-ASCII character escaped the other way round."""
    if how == 0:
        return orjson.dumps(text)
    if how == 1:
        return json.dumps(text, ensure_ascii=True).encode()
    return json.dumps(text, ensure_ascii=False).replace("/", "\\/").replace("é", "\\u00E9").encode()


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_string_text, min_size=1, max_size=4), st.integers(0, 2), st.booleans())
def test_long_strings_in_chunks_read_as_orjson_reads_them(
    tiny_strings: None, texts: list[str], how: int, in_object: bool
) -> None:
    strings = [_written(text, how) for text in texts]
    if in_object:
        data = b"{" + b",".join(b'"k%d":' % i + s for i, s in enumerate(strings)) + b"}"
    else:
        data = b"[" + b",".join(strings) + b"]"
    expected = orjson.loads(data)
    try:
        got = loads_in_pieces(data)
    except Unsplittable:
        return  # allowed: the caller parses it whole
    assert got == expected
    assert orjson.dumps(got) == orjson.dumps(expected)  # the same keys in the same order too


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_string_text.filter(lambda t: len(t) > 10), st.integers(0, 2), st.data())
def test_broken_long_strings_never_give_a_wrong_value(tiny_strings: None, text: str, how: int, data) -> None:
    """A cut escape, a bare quote, a raw control byte, half a surrogate pair, a bad UTF-8 byte: orjson refuses a
    chunk or the whole, never a wrong value."""
    raw = bytearray(b'["x",' + _written(text, how) + b',"y"]')
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(6, len(raw) - 6))
        kind = data.draw(st.sampled_from(["cut", "insert", "flip"]))
        if kind == "cut":
            del raw[at : at + data.draw(st.integers(1, 3))]
        elif kind == "insert":
            raw[at:at] = data.draw(st.sampled_from([b'"', b"\\", b"\\u", b"\\ud83d", b"\x01", b"\xff", b"\xe2\x82"]))
        else:
            raw[at] ^= data.draw(st.integers(1, 255))
    _never_a_wrong_value(bytes(raw))


def _parsed_counting(monkeypatch: pytest.MonkeyPatch, data: bytes) -> tuple[object, list[int]]:
    """``loads_in_pieces(data)`` and the size of each orjson call it made."""
    sizes: list[int] = []
    real = orjson.loads

    def counting(chunk: bytes | memoryview | bytearray) -> object:
        sizes.append(len(chunk))
        return real(chunk)

    with monkeypatch.context() as patched:
        patched.setattr(json_pieces.orjson, "loads", counting)
        return loads_in_pieces(data), sizes


def test_a_long_string_is_read_in_chunks_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 MB string beside small values: orjson reads it in chunks of about STRING_CHUNK (it reads one long string
    slower per byte than many short ones), and about once."""
    text = ("QUJDRA+/" * 1048576)[:8_000_000]
    data = orjson.dumps({"logs": [{"type": "errorAttachment", "data": text, "after": [1, 2]}, {"data": "b"}]})
    got, sizes = _parsed_counting(monkeypatch, data)
    assert got == orjson.loads(data)
    chunk = json_pieces_scan.STRING_CHUNK
    assert max(sizes) <= 2 * max(chunk, json_pieces.PIECE_BYTES) + 2, "a long read of the string at once"
    assert sum(1 for size in sizes if chunk - 8 <= size <= chunk + 2) >= len(text) // chunk - 1
    assert sum(sizes) < 1.2 * len(data), "the string was parsed more than once"


@pytest.mark.parametrize("ending", [b'\\\\"', b'\\\\\\\\"', b'\\"\\\\"'])
def test_a_long_string_ending_in_escaped_backslashes(monkeypatch: pytest.MonkeyPatch, ending: bytes) -> None:
    """A string ending in an escaped backslash (``\\"``): the first quote of its last chunk follows a backslash
    and is not the end; the chunk is parsed whole and orjson's error says where the string closed."""
    _lone_strings(monkeypatch)
    body = b'x\\"y' * 2000
    data = b'{"a":"' + body + ending + b',"b":"z","c":[1,2,3]}'
    assert loads_in_pieces(data) == orjson.loads(data)


def _lone_strings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings of more than 1 KB are long, read in chunks of 256 bytes; pieces end only a few bytes on (a long
    string is parsed alone), and containers over 64 bytes are split (not parsed whole by a growing window, which
    would read the strings inside them in one call)."""
    monkeypatch.setattr(json_pieces_scan, "LONG_STRING", 1024)
    monkeypatch.setattr(json_pieces_scan, "STRING_CHUNK", 256)
    for name in ("PIECE_BYTES", "SEPARATOR_REACH", "FIRST_WINDOW", "SPLIT_WINDOW"):
        monkeypatch.setattr(json_pieces, name, 64)


@pytest.mark.parametrize("after", [b"", b" ", b"\n  "])
def test_text_full_of_escaped_quotes_ends_where_orjson_says(monkeypatch: pytest.MonkeyPatch, after: bytes) -> None:
    """Text whose quotes are escaped (the first quote of every chunk follows a backslash): each chunk is parsed
    whole and the chunk where the string closes says where, by orjson's error; the value and the rest are right."""
    _lone_strings(monkeypatch)
    text = 'line "quoted" \\ back\\slash, {brace} [bracket] é€😀\n' * 200
    data = b'{"logs":[{"message":' + orjson.dumps(text) + after + b',"b":"z"},' + orjson.dumps(text) + b"]}"
    got, sizes = _parsed_counting(monkeypatch, data)
    assert got == orjson.loads(data)
    chunks = [size for size in sizes if size <= json_pieces_scan.STRING_CHUNK + 2]
    assert sum(chunks) > len(data), "the strings were not read in chunks"


@pytest.fixture
def tiny_deep(tiny_pieces: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces and windows of a few bytes (``tiny_pieces``), and containers nested deeper than 2 parsed whole."""
    monkeypatch.setattr(json_pieces, "MAX_DEPTH", 2)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_lossy_values, st.booleans(), st.sampled_from(["compact", "spaced", "newline"]), st.booleans())
def test_deep_documents_report_every_loss(
    tiny_deep: None, value: object, escape_colons: bool, layout: str, last: bool
) -> None:
    """Nested below MAX_DEPTH (the last value of its containers or not), written compactly (the bytes equal
    orjson's writing: both checks proven by comparing them) or not: every repeated key and integer beyond 64 bits
    is reported; when nothing is, the value is the standard library's."""
    from inspector.formats.jsondoc import _DuplicateCollector

    inner = _write(value, escape_colons)
    text = '{"a":{"b":[' + (inner + ',{"c":[1]}' if not last else '{"c":[1]},' + inner) + "]}}"
    if layout == "spaced":
        text = text.replace(",", ", ").replace("{", "{ ")
    elif layout == "newline":
        text += "\n"
    collector = _DuplicateCollector()
    expected = json.loads(text, object_pairs_hook=collector)
    parsed = json_pieces.loads_checked(text.encode(), members=True)
    if collector.duplicates:
        assert parsed.members_lost
    if _has_big(expected):
        assert parsed.big_int
    if not parsed.members_lost and not parsed.big_int:
        assert orjson.dumps(parsed.value) == orjson.dumps(expected)


def _chain(levels: int, items: int) -> dict:
    node: dict = {"leaf": True}
    for level in range(levels):
        node = {"level": level, "items": [{"i": i, "name": f"item {i}"} for i in range(items)], "child": node}
    return {"data": {"body": "deep"}, "custom": node}


@pytest.mark.parametrize("last", [True, False])
def test_a_deep_chain_is_parsed_once_below_max_depth(monkeypatch: pytest.MonkeyPatch, last: bool) -> None:
    """Below MAX_DEPTH a container that is the last value of all its containers is parsed in one call up to the
    document's closing brackets (no counting); one that is not costs one parse more, and reads the same."""
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 4096)
    monkeypatch.setattr(json_pieces, "MAX_DEPTH", 4)
    value = _chain(60, 200)
    if not last:
        value["custom"]["after"] = _chain(3, 2)
    data = orjson.dumps(value)
    counted: list[int] = []
    real_end = json_pieces._bracket_end
    monkeypatch.setattr(json_pieces, "_bracket_end", lambda raw, pos: counted.append(pos) or real_end(raw, pos))
    sizes: list[int] = []
    real = orjson.loads

    def counting(chunk: bytes | memoryview | bytearray) -> object:
        sizes.append(len(chunk))
        return real(chunk)

    monkeypatch.setattr(json_pieces.orjson, "loads", counting)
    parsed = json_pieces.loads_checked(data, members=True)
    monkeypatch.undo()
    assert orjson.dumps(parsed.value) == data
    assert not parsed.members_lost and not parsed.big_int
    assert not counted, "the brackets were counted"
    deep = [size for size in sizes if size > len(data) / 2]
    assert len(deep) == (1 if last else 2)


def test_checks_compare_the_written_value_when_the_bytes_are_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compact bytes equal to orjson's writing are not counted (colons) nor scanned (digits); any other bytes
    are, and a repeated key or a big integer in them is found."""
    scanned: list[int] = []
    real = json_pieces._has_big_int
    monkeypatch.setattr(json_pieces, "_has_big_int", lambda raw, s, e: scanned.append(e - s) or real(raw, s, e))
    compact = b'{"a":[1,2,{"b":"c:d"}],"e":12345678901234567890}'
    assert not json_pieces.loads_checked(compact, members=True, split=False).big_int
    assert scanned == []
    for lossy in (b'{"a":1,"a":2}', b'{"a":123456789012345678901}', b'{"a":-9223372036854775809}'):
        parsed = json_pieces.loads_checked(lossy, members=True, split=False)
        assert parsed.members_lost or parsed.big_int
    spaced = b'{"a": [1, 2], "b": 123456789012345678901234}\n'
    assert json_pieces.loads_checked(spaced, members=True, split=False).big_int
    assert scanned, "bytes unlike orjson's writing were not scanned"
    pretty = b'{\n  "a": 1,\n  "b": {"a": 2, "a": 3}\n}'
    assert json_pieces.loads_checked(pretty, members=True, split=False).members_lost
