"""json_pieces' search policies: what is skipped where a search would be wasted, and that each skip, when its guess
is wrong, still gives exactly orjson's value.

- The first element of a container is parsed alone; a container whose elements are bigger than a piece is parsed an
  element at a time without looking for piece boundaries (App Center logs of 5 MB, threads of 1 MB).
- Where the last pieces of a container (or of a sibling with elements of the same first key) ended at the first
  candidate after their target, the next boundary is taken without counting brackets: orjson's proof of the piece
  is enough, and a piece that fails (the candidate was inside a nested value) is searched again with counting.
"""

from __future__ import annotations

import os
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspector.formats import json_pieces, lazy_json
from inspector.formats.json_pieces import loads_in_pieces
from inspector.formats.jsondoc import parse_json
from tests.formats.test_json_pieces import tiny_pieces as tiny_pieces  # (a fixture: pieces of 48 bytes)

EXAMPLES = max(150, int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "0")))


@pytest.fixture
def searches(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool, int]]:
    """Every piece search: (where it started, whether it counted brackets, the end it gave)."""
    calls: list[tuple[int, bool, int]] = []
    real = json_pieces._piece_end

    def spy(data: bytes, pos: int, *args: Any, **kwargs: Any) -> tuple[int, int]:
        end, hint = real(data, pos, *args, **kwargs)
        calls.append((pos, kwargs.get("count", True), end))
        return end, hint

    monkeypatch.setattr(json_pieces, "_piece_end", spy)
    return calls


def _frame(i: int) -> dict[str, Any]:
    return {"k": f"f{i % 7}", "line": i}


def test_a_guess_inside_a_nested_value_is_searched_again(tiny_pieces: None, searches: list[Any]) -> None:
    """Flat ``{"k":"o"`` frames teach that such elements end where found; the sibling list's elements begin the
    same way but nest more of them, so the first candidate after a target may lie inside one: its piece fails, the
    search counts again, and the value is orjson's."""
    flat = [{"k": "o", "line": i} for i in range(60)]
    nested = [{"k": "o", "in": [{"k": "o"}, {"k": "o", "n": j}]} for j in range(40)]
    value = {"a": flat, "b": nested, "c": flat}
    data = orjson.dumps(value)
    assert loads_in_pieces(data) == value
    guessed = [end for _pos, counted, end in searches if not counted]
    assert guessed, "no boundary was taken uncounted"
    b_start, b_end = data.index(b'"b":'), data.index(b'"c":')
    failed_guesses = [(pos, end) for pos, counted, end in searches if not counted and b_start < pos < b_end]
    # in "b" a guess was made, and a search at the same place counted again
    assert any(pos == g and counted for g, _ in failed_guesses for pos, counted, _end in searches)


def test_containers_of_big_elements_are_not_searched(
    tiny_pieces: None, searches: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each log is bigger than a chunk may be: the ``logs`` array is parsed a log at a time (their frames chunked)
    without a search among the logs themselves."""
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 0)
    monkeypatch.setattr(json_pieces, "CHUNK_ELEMENT_MAX", 256)
    from inspector.formats import jsondoc

    monkeypatch.setattr(jsondoc, "PIECES_FROM", 0)
    logs = [{"type": "managedError", "frames": [_frame(i) for i in range(40)]} for _ in range(6)]
    data = orjson.dumps({"logs": logs})
    got, _problems = parse_json(data)
    assert orjson.dumps(lazy_json.plain(got)) == data
    starts = {m for m in range(len(data)) if data.startswith(b'{"type":"managedError"', m)}
    assert len(starts) == 6
    assert not [pos for pos, _counted, _end in searches if pos in starts]
    assert searches, "the frames were still cut into pieces"
    assert isinstance(got["logs"][3]["frames"], lazy_json.ChunkedList)


keys = st.sampled_from(["k", "name", "type"])
leaf = st.fixed_dictionaries({}, optional={"line": st.integers(0, 99), "s": st.text('ab,{}[]":', max_size=6)})


def _element(draw: Any, depth: int) -> dict[str, Any]:
    first = draw(keys)
    element: dict[str, Any] = {first: draw(st.text('ab,{":', max_size=4))}
    element.update(draw(leaf))
    if depth < 2 and draw(st.booleans()):
        element["inner"] = [_element(draw, depth + 1) for _ in range(draw(st.integers(0, 6)))]
    return element


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data(), st.booleans())
def test_sibling_lists_of_alike_elements_read_as_orjson_reads_them(tiny_pieces: None, data: Any, indent: bool) -> None:
    """Lists whose elements begin alike, flat or nesting more of the same, side by side (what is learnt in one is
    used in the next): always orjson's value, in its key order."""
    lists = {f"l{i}": [_element(data.draw, 0) for _ in range(data.draw(st.integers(0, 16)))] for i in range(3)}
    raw = orjson.dumps(lists, option=orjson.OPT_INDENT_2 if indent else 0)
    got = loads_in_pieces(raw)
    assert orjson.dumps(got) == orjson.dumps(orjson.loads(raw))
