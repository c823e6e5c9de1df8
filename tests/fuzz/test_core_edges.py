"""The hostile edges the fuzzers found or aim at, pinned as plain examples (fast, deterministic)."""

from __future__ import annotations

import json

import pytest

from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import _SCAN_CHUNK, DUPLICATE_SCAN_LIMIT, dumps, has_big_int, parse_json


@pytest.mark.parametrize(
    ("text", "big"),
    [
        (b"[18446744073709551615]", False),  # uint64 max: orjson reads it exactly
        (b"[18446744073709551616]", True),
        (b"[-9223372036854775808]", False),  # int64 min
        (b"[-9223372036854775809]", True),  # 19 digits, still beyond int64
        (b'{"id":"123456789012345678901234"}', False),  # a string
        (b"[1234567890123456789012.5, 1e123456789012345678901]", False),  # floats
        (b"123456789012345678901", True),  # the whole document
        (b" " * (_SCAN_CHUNK - 10) + b"[123456789012345678901234567890]", True),  # across a chunk boundary
        (b" " * (_SCAN_CHUNK - 3) + b'["123456789012345678901234567890"]', False),
    ],
)
def test_big_int_scan(text: bytes, big: bool) -> None:
    assert has_big_int(text) is big
    value, _ = parse_json(text)
    assert value == json.loads(text)


def test_big_document_takes_the_fast_path_and_keeps_big_ints() -> None:
    filler = b'"' + b"x" * (DUPLICATE_SCAN_LIMIT + 10) + b'"'
    value, problems = parse_json(b'{"a":' + filler + b',"n":123456789012345678901234567890}')
    assert value["n"] == 123456789012345678901234567890 and isinstance(value["n"], int)
    assert any("duplicate-key check skipped" in p.message for p in problems)
    value, problems = parse_json(b'{"a":' + filler + b',"n":[NaN]}')
    assert value["n"][0] != value["n"][0]
    assert any("NaN" in p.message for p in problems)


def test_lone_surrogate_round_trips_as_an_escape() -> None:
    value, _ = parse_json(b'{"k\\ud800":["\\udfff!"]}')
    assert value == {"k\ud800": ["\udfff!"]}
    out = dumps(value, pretty=True)
    out.decode("utf-8")  # valid UTF-8
    assert parse_json(out)[0] == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (b"1" * 5000, "4300 digits"),
        (b"[1" + b",[1" * 3000 + b"]" * 3001, "nested too deeply"),
        (b'{"a": 1,}', "trailing comma"),
        (b'["\xff"]', "not valid UTF-8"),
        (b'{"\xc3\xa9\xc3\xa9": x}', "line 1 column 10"),  # columns count bytes, as editors show them
    ],
)
def test_errors_are_clear(text: bytes, words: str) -> None:
    with pytest.raises(InspectorError) as info:
        parse_json(text)
    assert words in str(info.value)
