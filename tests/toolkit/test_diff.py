"""Structural diff: aligned frames, matched threads/binaries/attributes, related and unrelated reports."""

from __future__ import annotations

from inspector.formats import load_path, reports
from inspector.report import Binary, Frame, Report, Summary, Thread
from inspector.toolkit.diff import align_frames, diff_reports, diff_text
from tests.conftest import CORPUS


def _report(name: str) -> Report:
    return reports(load_path(str(CORPUS / name)))[0]


def test_same_report_is_identical() -> None:
    a = _report("backtrace/backtracepython-0.4.3_exception_3-threads.json")
    b = _report("backtrace/backtracepython-0.4.3_exception_3-threads.json")
    d = diff_reports(a, b)
    assert d.identical
    assert "identical" in diff_text(d)


def test_related_reports_from_the_same_sdk() -> None:
    a = _report("backtrace/backtracepython-0.4.3_exception_3-threads.json")
    b = _report("backtrace/backtracepython-0.4.3_send_report-message_3-threads.json")
    d = diff_reports(a, b)
    assert not d.identical
    # the crashing thread's stacks align on the shared bottom frame (<module>), whose line moved
    last = d.frames[-1]
    assert (last.status, last.a.function, [c.name for c in last.changes]) == ("changed", "<module>", ["line"])
    assert [r.status for r in d.frames[:2]] == ["removed", "removed"]
    threads = {t.key: t for t in d.threads}
    assert all(t.status != "added" and t.status != "removed" for t in threads.values())  # matched by name
    attrs = {k.key: k for k in d.attributes}
    assert attrs["error.type"].changes[0].b == "Message"
    text = diff_text(d)
    assert "~ #2   <module>" in text and "line: 30 -> 35" in text


def test_unrelated_reports() -> None:
    a = _report("rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json")
    b = _report("minidump/breakpad_linux_null-dereference.dmp")
    d = diff_reports(a, b)
    assert not d.identical
    assert {k.status for k in d.exceptions} == {"removed", "added"}
    assert all(k.status == "added" for k in d.binaries)
    assert d.as_dict()["counts"]["binaries"] == len(b.binaries)


def test_frames_are_aligned_not_compared_line_by_line() -> None:
    def f(name: str, line: int = 1) -> Frame:
        return Frame(function=name, file=f"{name}.py", line=line)

    a = [f("a"), f("b"), f("c"), f("d")]
    b = [f("a"), f("x"), f("b"), f("c", 9), f("d")]
    rows = align_frames(a, b)
    assert [(r.status, r.a_index, r.b_index) for r in rows] == [
        ("equal", 0, 0),
        ("added", None, 1),
        ("equal", 1, 2),
        ("changed", 2, 3),
        ("equal", 3, 4),
    ]
    assert rows[3].changes[0].as_dict() == {"field": "line", "a": 1, "b": 9}


def test_binaries_matched_by_debug_id() -> None:
    def report(binaries: list[Binary]) -> Report:
        return Report(
            format="backtrace", kind="x", summary=Summary(), binaries=binaries, threads=[Thread("1", "main", [], True)]
        )

    a = report([Binary("libc.so", 0x1000, size=10, debug_id="AAA"), Binary("old.so", debug_id="BBB")])
    b = report([Binary("libc.so", 0x2000, size=10, debug_id="AAA"), Binary("new.so", debug_id="CCC")])
    d = diff_reports(a, b)
    assert [(k.key, k.status) for k in d.binaries] == [("AAA", "changed"), ("BBB", "removed"), ("CCC", "added")]
    assert d.binaries[0].changes[0].name == "start"
