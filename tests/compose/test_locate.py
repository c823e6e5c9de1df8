"""JSON Pointer -> text span, splicing, UTF-16 offsets, common affixes."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.compose.locate import (
    common_affixes,
    from_utf16,
    locate,
    locate_many,
    locate_nearest,
    splice,
    utf16_len,
    utf16_offset,
)
from inspector.formats.jsondoc import walk

TEXT = '{\n  "a": [1, {"b": "x}\\"]"}],\n  "c/d": {"e~f": 2.5e3},\n  "n": null\n}\n'


def test_locates_values_and_keys() -> None:
    found = locate_many(TEXT, ["", "/a", "/a/1/b", "/c~1d/e~0f", "/n", "/zz"])
    assert TEXT[found["/a/1/b"].start : found["/a/1/b"].end] == '"x}\\"]"'
    assert TEXT[found["/c~1d/e~0f"].start : found["/c~1d/e~0f"].end] == "2.5e3"
    assert TEXT[found["/n"].key_start : found["/n"].end] == '"n": null'
    assert found[""].start == 0 and "/zz" not in found


def test_duplicate_key_last_one_wins() -> None:
    text = '{"a": {"b": 1}, "a": {"c": 2}}'
    assert locate(text, "/a/b") is None
    where = locate(text, "/a/c")
    assert where is not None and text[where.start : where.end] == "2"


def test_nearest_existing_ancestor_for_missing_keys() -> None:
    found = locate_nearest(TEXT, ["/a/1/missing", "/@parts/2", "/a/7"])
    assert TEXT[found["/a/1/missing"].start] == "{"
    assert TEXT[found["/a/7"].start] == "["
    assert "/@parts/2" not in found


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=4), c, max_size=4),
        max_leaves=20,
    )
)
def test_every_pointer_span_parses_back_to_its_value(value: object) -> None:
    for indent in (None, 2):
        text = json.dumps(value, indent=indent, ensure_ascii=False)
        pointers = dict(walk(value))
        found = locate_many(text, pointers)
        assert set(found) == set(pointers)
        for pointer, where in found.items():
            assert json.loads(text[where.start : where.end]) == pointers[pointer]


def test_splice_keeps_the_rest_of_the_text_byte_for_byte() -> None:
    text = '{\n    "keep":   [1,2,  3],\n    "x": {"y": 1},\n    "unknown": "z"\n}'
    out = splice(text, "/x", {"y": 2, "new": [True]})
    assert out is not None
    assert out.startswith('{\n    "keep":   [1,2,  3],\n    "x": {\n')
    assert out.endswith(',\n    "unknown": "z"\n}')
    assert json.loads(out) == {"keep": [1, 2, 3], "x": {"y": 2, "new": [True]}, "unknown": "z"}
    assert splice(text, "/nope", 1) is None


def test_utf16_offsets_count_astral_characters_twice() -> None:
    text = 'a😀b"é"'
    assert utf16_offset(text, 2) == 3
    assert utf16_len(text) == len(text) + 1
    assert from_utf16(text, 3) == 2


@given(st.text(max_size=30), st.text(max_size=30))
def test_common_affixes_rebuild_the_new_text(old: str, new: str) -> None:
    prefix, suffix = common_affixes(old, new)
    assert old[:prefix] == new[:prefix]
    assert prefix + suffix <= min(len(old), len(new))
    assert old[len(old) - suffix :] == new[len(new) - suffix :]
    assert old[:prefix] + new[prefix : len(new) - suffix] + old[len(old) - suffix :] == new
