"""A big document's repeated values are shared while it is parsed, and nothing a reader or a save sees changes."""

from __future__ import annotations

import os

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.formats import json_pieces, jsondoc, lazy_json
from inspector.formats.jsondoc import Document, Edit, Interner, dumps, parse_json

EXAMPLES = max(200, int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "0")))

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet="ab1é", max_size=4)
)
keys = st.text("abc", max_size=3)
values = st.recursive(scalars, lambda c: st.lists(c, max_size=5) | st.dictionaries(keys, c, max_size=5), max_leaves=40)


def _frames(count: int) -> dict[str, object]:
    frames = [
        {"className": f"io.example.Service{i % 7}", "methodName": f"handle{i % 5}", "lineNumber": 300 + i % 3}
        for i in range(count)
    ]
    return {"logs": [{"type": "managedError", "id": str(n), "flag": n % 2 == 0, "frames": frames} for n in range(4)]}


@settings(max_examples=EXAMPLES, deadline=None)
@given(values)
def test_sharing_changes_no_value_type_or_order(value: object) -> None:
    parsed = orjson.loads(orjson.dumps(value))
    expected = orjson.loads(orjson.dumps(value))
    if isinstance(parsed, (dict, list)):
        Interner()(parsed)
    assert parsed == expected
    assert orjson.dumps(parsed) == orjson.dumps(expected)  # order, and bool/int/float kept apart (1, 1.0, True)


def test_equal_strings_and_ints_become_one_object_bools_and_floats_stay() -> None:
    piece = orjson.loads(b'[{"a": "same", "n": 1000, "b": true, "f": 1.0}, {"a": "same", "n": 1000, "b": 1, "f": 1}]')
    Interner()(piece)
    first, second = piece
    assert first["a"] is second["a"] and first["n"] is second["n"]
    assert first["b"] is True and type(second["b"]) is int  # True == 1, yet each keeps its type
    assert type(first["f"]) is float and type(second["f"]) is int


def test_a_piece_that_is_not_a_container_is_left_alone() -> None:
    interner = Interner()
    for piece in ("text", 7, None, True, 1.5):
        interner(piece)
    assert interner.strings == {} and interner.ints == {} and interner.sampled == 0


def test_long_strings_are_not_remembered() -> None:
    long = "x" * (jsondoc.INTERN_MAX_LEN + 1)
    piece = orjson.loads(orjson.dumps([long, long]))
    interner = Interner()
    interner(piece)
    assert piece == [long, long] and interner.strings == {}


def test_the_tables_stop_growing_at_their_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondoc, "INTERN_MAX_VALUES", 2)
    interner = Interner()
    interner(orjson.loads(b'["a", "b"]'))
    later = orjson.loads(b'["a", "c", "c"]')
    interner(later)
    assert set(interner.strings) == {"a", "b"}  # nothing new remembered once full
    assert later == ["a", "c", "c"] and later[0] is interner.strings["a"]  # known ones still shared


def test_a_document_parsed_in_pieces_shares_its_frames_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRASH_INSPECTOR_MEMORY_AVAILABLE", str(128 * 2**20))  # memory short: values are shared
    monkeypatch.setattr(jsondoc, "PIECES_FROM", 1024)
    monkeypatch.setattr(jsondoc, "DUPLICATE_SCAN_LIMIT", 1024)
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 2048)
    monkeypatch.setattr(lazy_json, "LAZY_FROM", 2**30)  # below it: the values are parsed, and shared
    data = orjson.dumps(_frames(3000))
    assert len(data) > 100_000
    value, _problems = parse_json(data)
    assert value == orjson.loads(data)
    frames = [f for log in value["logs"] for f in log["frames"]]
    assert len({id(f["className"]) for f in frames}) == 7  # one object per distinct name
    assert len({id(f["lineNumber"]) for f in frames}) == 3


@pytest.mark.parametrize("pieces_from", [1024, 64 * 1024 * 1024], ids=["parsed in pieces", "parsed whole"])
def test_edits_undo_and_saves_of_shared_values_lose_nothing(monkeypatch: pytest.MonkeyPatch, pieces_from: int) -> None:
    monkeypatch.setattr(jsondoc, "PIECES_FROM", pieces_from)
    monkeypatch.setattr(jsondoc, "DUPLICATE_SCAN_LIMIT", min(pieces_from, jsondoc.DUPLICATE_SCAN_LIMIT))
    monkeypatch.setattr(json_pieces, "PIECE_BYTES", 2048)
    data = orjson.dumps(_frames(2000))
    doc = Document.from_bytes(data)
    assert doc.to_bytes() is data  # unedited: the original bytes
    undo = doc.apply(Edit("set", "/logs/0/frames/0/className", "renamed"))
    assert doc.get("/logs/0/frames/0/className") == "renamed"
    assert doc.get("/logs/0/frames/7/className") == "io.example.Service0"  # the same string elsewhere: untouched
    assert doc.get("/logs/1/frames/0/className") == "io.example.Service0"  # another log's
    edited = orjson.loads(doc.to_bytes())
    expected = orjson.loads(data)
    expected["logs"][0]["frames"][0]["className"] = "renamed"
    assert edited == expected
    doc.apply(undo)
    assert dumps(doc.value) == data


def test_keys_whose_values_do_not_repeat_are_left_alone_after_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondoc, "INTERN_SAMPLE", 40)
    frames = [{"func": f"fn_{i}", "lib": "libc.so", "n": 1000 + i % 2} for i in range(100)]
    interner = Interner()
    interner(orjson.loads(orjson.dumps(frames[:20])))  # the sample: 60 values
    assert interner.cold == {"func"} and not interner.off
    later = orjson.loads(orjson.dumps(frames[20:]))
    interner(later)
    assert later == frames[20:]
    assert "fn_99" not in interner.strings and later[0]["lib"] is later[-1]["lib"] is interner.strings["libc.so"]


def test_a_document_of_unique_values_is_not_walked_after_the_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsondoc, "INTERN_SAMPLE", 40)
    frames = [{"func": f"fn_{i}", "address": f"0x{i:x}", "lib": "libc.so"} for i in range(100)]
    interner = Interner()
    interner(orjson.loads(orjson.dumps(frames[:20])))
    assert interner.cold == {"func", "address"} and interner.off
    later = orjson.loads(orjson.dumps(frames[20:]))
    interner(later)
    assert later == frames[20:] and later[0]["lib"] is not interner.strings["libc.so"]  # not even looked at


def test_values_are_shared_only_when_memory_is_short(monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.formats import memory_budget

    data = orjson.dumps(_frames(100))
    need = memory_budget.estimate_json_bytes(data)
    monkeypatch.setattr(memory_budget, "available_bytes", lambda: int(need / jsondoc.INTERN_WHEN_NEED_OVER) + 1)
    assert jsondoc.interner_for(data) is None  # room enough: parse at full speed
    monkeypatch.setattr(memory_budget, "available_bytes", lambda: int(need / jsondoc.INTERN_WHEN_NEED_OVER) - 1)
    assert isinstance(jsondoc.interner_for(data), Interner)
    monkeypatch.setattr(memory_budget, "available_bytes", lambda: None)
    assert jsondoc.interner_for(data) is None  # unknown: never


def test_the_memory_override_makes_memory_short(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRASH_INSPECTOR_MEMORY_AVAILABLE", str(128 * 2**20))  # (the estimate alone is >= 64 MB)
    assert isinstance(jsondoc.interner_for(b"[1]"), Interner)


def test_a_big_documents_need_is_estimated_from_samples_within_a_few_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    from inspector.formats import memory_budget

    data = orjson.dumps(_frames(12_000))
    assert len(data) > 3 * jsondoc._NEED_SAMPLE  # the sampled path
    need = memory_budget.estimate_json_bytes(data)
    monkeypatch.setattr(memory_budget, "available_bytes", lambda: int(need / jsondoc.INTERN_WHEN_NEED_OVER * 1.05))
    assert jsondoc.interner_for(data) is None
    monkeypatch.setattr(memory_budget, "available_bytes", lambda: int(need / jsondoc.INTERN_WHEN_NEED_OVER * 0.95))
    assert isinstance(jsondoc.interner_for(data), Interner)
