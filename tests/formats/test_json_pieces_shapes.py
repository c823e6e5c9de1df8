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
    blob = bytes(raw)
    try:
        expected: object = orjson.loads(blob)
    except orjson.JSONDecodeError:
        expected = Unsplittable
    try:
        got = loads_in_pieces(blob)
    except Unsplittable:
        return
    assert expected is not Unsplittable, "an invalid document was accepted"
    assert got == expected


def test_a_long_string_is_read_in_chunks_and_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """An 8 MB string beside small values: orjson reads it in chunks of about STRING_CHUNK (it reads one long string
    slower per byte than many short ones), and about once."""
    text = ("QUJDRA+/" * 1048576)[:8_000_000]
    data = orjson.dumps({"logs": [{"type": "errorAttachment", "data": text, "after": [1, 2]}, {"data": "b"}]})
    sizes: list[int] = []
    real = orjson.loads

    def counting(chunk: bytes | memoryview | bytearray) -> object:
        sizes.append(len(chunk))
        return real(chunk)

    monkeypatch.setattr(json_pieces.orjson, "loads", counting)
    got = loads_in_pieces(data)
    monkeypatch.undo()
    assert got == orjson.loads(data)
    chunk = json_pieces_scan.STRING_CHUNK
    assert max(sizes) <= 2 * max(chunk, json_pieces.PIECE_BYTES) + 2, "a long read of the string at once"
    assert sum(1 for size in sizes if chunk - 8 <= size <= chunk + 2) >= len(text) // chunk - 1
    assert sum(sizes) < 1.2 * len(data), "the string was parsed more than once"


@pytest.mark.parametrize("ending", [b'\\\\"', b'\\\\\\\\"', b'\\"\\\\"'])
def test_a_long_string_ending_in_escaped_backslashes(monkeypatch: pytest.MonkeyPatch, ending: bytes) -> None:
    """The first quote no backslash precedes is not the end when the string ends in an escaped backslash: the
    chunk with the real closing quote is refused, the string is read the slower way, right."""
    monkeypatch.setattr(json_pieces_scan, "LONG_STRING", 1024)
    monkeypatch.setattr(json_pieces_scan, "STRING_CHUNK", 256)
    body = b'x\\"y' * 2000
    data = b'{"a":"' + body + ending + b',"b":"z","c":[1,2,3]}'
    assert loads_in_pieces(data) == orjson.loads(data)
