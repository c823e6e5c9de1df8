"""The filter's search index finds exactly what a row-by-row scan finds (issue 18, item 4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.report import LazyList
from inspector.ui.document.models import filtering
from inspector.ui.document.models.filtering import INDEX_MIN_ROWS, SearchIndex, filter_stacks, matching


def _rows(texts: list[str]) -> LazyList[str]:
    return LazyList(texts, lambda item, _i: item, lambda item: item)


def _naive(texts: list[str], needle: str) -> list[int]:
    return [i for i, t in enumerate(texts) if needle.lower() in t.lower()]


row_text = st.text(alphabet=st.sampled_from("abAB İı\nXx.:/_ß\u0130é"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(row_text, max_size=INDEX_MIN_ROWS * 2),
    st.text(alphabet=st.sampled_from("abAB İı\nXxß"), min_size=1, max_size=3),
)
def test_index_agrees_with_the_row_by_row_scan(texts: list[str], needle: str) -> None:
    rows = _rows(texts)
    assert matching(rows, needle) == _naive(texts, needle)


def test_the_index_is_built_once_and_reused(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = [f"Frame{i} handle{i % 100} Service.java" for i in range(5000)]
    rows = _rows(texts)
    builds: list[int] = []
    real_build = SearchIndex.build.__func__  # type: ignore[attr-defined]

    def counting(cls, rows_, check=None):  # type: ignore[no-untyped-def]
        builds.append(len(rows_))
        return real_build(cls, rows_, check)

    monkeypatch.setattr(SearchIndex, "build", classmethod(counting))
    assert matching(rows, "HANDLE7") == _naive(texts, "handle7")
    assert matching(rows, "handle77") == _naive(texts, "handle77")
    assert builds == [5000]  # the second filter (the next keystroke) reused the index
    kept = filter_stacks(["main thread"], [rows], "service.java")
    assert kept.stacks == [0] and kept.frames[0] == list(range(5000))


def test_short_lists_and_newline_needles_scan_row_by_row() -> None:
    texts = ["a\nb", "ab"]
    rows = _rows(texts * (INDEX_MIN_ROWS // 2))
    assert matching(rows, "a\nb") == [i for i in range(len(rows)) if i % 2 == 0]
    assert filtering.search_index(_rows(["x"])) is None
