"""JSON Pointers (RFC 6901) resolve as the ``jsonpointer`` package resolves them, and fail with InspectorError."""

from __future__ import annotations

import jsonpointer
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.formats.base import InspectorError
from inspector.formats.jsondoc import Document, Edit, array_index, resolve

# tokens that look like indexes and are not: leading zeros, other Unicode digits, signs, the end marker
token_text = st.sampled_from(
    ["0", "1", "2", "01", "00", "-", "²", "١", "+1", "-1", "1e0", " 1", "a", "~0", "~1", "", "10"]
)
tokens = token_text | st.text(alphabet=st.sampled_from(list("01a/~²")), max_size=4)
values = st.recursive(
    st.integers(0, 3) | st.text(max_size=2),
    lambda kids: st.lists(kids, max_size=12) | st.dictionaries(token_text | st.text(max_size=3), kids, max_size=4),
    max_leaves=20,
)


def _theirs(doc: object, pointer: str) -> object:
    try:
        got = jsonpointer.JsonPointer(pointer).resolve(doc)
    except jsonpointer.JsonPointerException:
        return InspectorError
    return InspectorError if isinstance(got, jsonpointer.EndOfList) else got


@settings(max_examples=1000, deadline=None)
@given(values, st.lists(tokens, max_size=4))
def test_resolve_agrees_with_the_jsonpointer_package(doc: object, path: list[str]) -> None:
    pointer = "".join("/" + t for t in path)
    expected = _theirs(doc, pointer)
    try:
        got: object = resolve(doc, pointer)
    except InspectorError:  # never a ValueError or IndexError
        got = InspectorError
    assert got == expected if expected is not InspectorError else got is InspectorError


@pytest.mark.parametrize("token", ["01", "00", "²", "١", "+1", "-1", "1e0", " 1", "-", ""])
def test_tokens_that_name_no_element(token: str) -> None:
    assert array_index(token) is None
    with pytest.raises(InspectorError):
        resolve([10, 11, 12], "/" + token)
    doc = Document.from_value({"a": [10, 11]})
    with pytest.raises(InspectorError):
        doc.apply(Edit("set", "/a/" + token, 1)) if token != "-" else doc.apply(Edit("set", "/a/-", 1))


def test_escapes_and_valid_indexes() -> None:
    doc = {"a/b": {"m~n": [1, [2, 3]]}}
    assert resolve(doc, "/a~1b/m~0n/1/0") == 2
    assert array_index("0") == 0 and array_index("10") == 10
    with pytest.raises(InspectorError):
        resolve(doc, "/a~2b")  # '~' must be followed by 0 or 1
