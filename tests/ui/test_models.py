"""Item models: Qt's model tester on real corpus payloads, row counts equal to `show --json`, data per role."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from inspector.cli import report_json
from inspector.formats import load_path, validate
from inspector.formats import reports as derive_reports
from inspector.formats.base import InspectorError
from inspector.report import Binary, ExceptionInfo, Frame, LazyList, Report, SourceContext, Summary, TelemetryEvent
from inspector.ui.document.models.frame_text import (
    exception_stacks,
    format_size,
    is_library_frame,
    stack_text,
    thread_stacks,
)
from inspector.ui.document.models.lists import (
    AttachmentsModel,
    BinariesModel,
    ProblemsModel,
    SortProxy,
    TelemetryModel,
    format_relative,
)
from inspector.ui.document.models.metadata_model import MetadataModel
from inspector.ui.document.models.roles import COPY_ROLE, KIND_ROLE, OBJECT_ROLE, POINTER_ROLE, SORT_ROLE
from inspector.ui.document.models.stacks_model import StacksModel
from inspector.ui.document.view_filter import compute_filter
from tests.conftest import corpus_files

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture(autouse=True)
def _app(qapp):
    """Models read colours and icons from the QApplication's palette and style."""
    return qapp


def loadable_reports() -> list[tuple[Path, Report]]:
    found = []
    for path in corpus_files():
        try:
            sub = load_path(str(path))
            reports = list(derive_reports(sub))
        except InspectorError:
            continue
        found.extend((path, r) for r in reports)
    return found


REPORTS = loadable_reports()
IDS = [f"{p.parent.name}/{p.name}#{i}" for i, (p, _r) in enumerate(REPORTS)]


def one_per_vendor() -> list[tuple[Path, Report]]:
    chosen: dict[str, tuple[Path, Report]] = {}
    for path, report in REPORTS:
        best = chosen.get(report.format)
        if best is None or report.frame_count + len(report.binaries) > best[1].frame_count + len(best[1].binaries):
            chosen[report.format] = (path, report)
    return list(chosen.values())


def handmade_report(frames: int = 5) -> Report:
    raw = [
        {"f": f"func_{i}", "file": f"/srv/app/mod_{i}.py" if i % 2 else "/usr/lib/python3/site-packages/x.py"}
        for i in range(frames)
    ]
    lazy = LazyList(
        raw,
        lambda item, i: Frame(
            function=item["f"],
            file=item["file"],
            line=i + 1,
            address=0x7FFF_0000_0000 + i * 16,
            pointer=f"/frames/{i}",
            variables=(("locals", {"a": 1, "b": [1, 2]}), ("args", ["x"])),
            source=SourceContext(("def f():", "    boom()", "    pass"), 10, 11, language="python"),
        ),
        lambda item: f"{item['f']} {item['file']}",
    )
    return Report(
        format="backtrace",
        kind="handmade",
        summary=Summary(title="Boom", timestamp=1_700_000_000.0),
        exceptions=[
            ExceptionInfo("ValueError", "bad", lazy, pointer="/exc/0"),
            ExceptionInfo("KeyError", "k", [], pointer="/exc/1", depth=1, relation="cause", raw_stack="a\nb\n"),
        ],
        binaries=[
            Binary("big", start=0xFFFF_FFFF_0000_0000, end=0xFFFF_FFFF_0001_0000, pointer="/bin/0"),
            Binary("small", start=0x1000, size=0x100, pointer="/bin/1"),
            Binary("mid", start=0x7FFF_0000_0000, size=0x1000, pointer="/bin/2"),
            Binary("none", pointer="/bin/3"),
        ],
        telemetry=[
            TelemetryEvent(1_699_999_990.0, "error", "log", "client", "first", pointer="/t/0"),
            TelemetryEvent(1_699_999_999.5, "info", "network", "client", "second", url="http://x", pointer="/t/1"),
        ],
        metadata={"attributes": {"a": 1, "nested": {"deep": [1, 2, {"x": "y"}]}}, "empty": {}, "scalar": 3},
    )


@pytest.mark.parametrize(("path", "report"), one_per_vendor(), ids=lambda v: getattr(v, "name", ""))
def test_models_pass_qt_model_tester_on_corpus(qtmodeltester, path: Path, report: Report) -> None:
    sub = load_path(str(path))
    for model in (
        StacksModel(exception_stacks(report), report.most_recent_first),
        StacksModel(thread_stacks(report), report.most_recent_first),
        BinariesModel(report.binaries),
        TelemetryModel(report.telemetry, report.summary.timestamp),
        AttachmentsModel(report.attachments),
        MetadataModel(report.metadata),
        ProblemsModel(validate(sub)),
    ):
        qtmodeltester.check(model, force_py=True)


def test_models_pass_qt_model_tester_on_handmade_report(qtmodeltester) -> None:
    report = handmade_report()
    stacks = StacksModel(exception_stacks(report), True)
    qtmodeltester.check(stacks, force_py=True)
    proxy = SortProxy()
    proxy.setSourceModel(BinariesModel(report.binaries))
    qtmodeltester.check(proxy, force_py=True)
    qtmodeltester.check(MetadataModel(report.metadata), force_py=True)


@pytest.mark.parametrize(("path", "report"), REPORTS, ids=IDS)
def test_row_counts_match_show_json(path: Path, report: Report) -> None:
    expected = report_json(report)
    parsed = [s for s in exception_stacks(report) if s.kind == "exception" and not s.from_text]
    exc_model = StacksModel(parsed, report.most_recent_first)
    threads = StacksModel(thread_stacks(report), report.most_recent_first)
    frames = sum(exc_model.frame_count(s) for s in range(exc_model.rowCount()))
    frames += sum(threads.frame_count(s) for s in range(threads.rowCount()))
    assert frames == expected["frames"]
    assert threads.rowCount() == expected["threads"]
    assert BinariesModel(report.binaries).rowCount() == expected["binaries"]
    assert TelemetryModel(report.telemetry, None).rowCount() == expected["telemetry"]
    assert AttachmentsModel(report.attachments).rowCount() == expected["attachments"]
    for row in range(exc_model.rowCount()):  # every top-level stack row says how many frames it has
        assert f"({len(exc_model.stacks[row].frames)} frame" in exc_model.index(row, 0).data()


def test_frame_rows_show_function_location_and_dim_library_frames() -> None:
    report = handmade_report()
    model = StacksModel(exception_stacks(report), most_recent_first=True)
    stack = model.index(0, 0)
    assert model.rowCount(stack) == 5
    first = model.index(0, StacksModel.COL_FUNCTION, stack)
    assert first.data() == "func_0"
    assert model.index(0, StacksModel.COL_LOCATION, stack).data() == "/usr/lib/python3/site-packages/x.py:1"
    assert model.index(0, StacksModel.COL_ADDRESS, stack).data() == "0x00007fff00000000"
    assert first.data(Qt.ItemDataRole.ForegroundRole) is not None  # library frame dimmed
    assert model.index(1, StacksModel.COL_FUNCTION, stack).data(Qt.ItemDataRole.ForegroundRole) is None
    assert first.data(POINTER_ROLE) == "/frames/0"
    assert first.data(KIND_ROLE) == "frame"
    # variables expand under the frame: groups then values
    frame0 = model.index(0, 0, stack)
    assert model.rowCount(frame0) == 2
    group = model.index(0, 0, frame0)
    assert model.index(0, StacksModel.COL_FUNCTION, frame0).data() == "locals"
    assert model.rowCount(group) == 2
    assert model.index(1, StacksModel.COL_LOCATION, group).data() == "[1, 2]"
    # the raw stack string of an inner exception becomes rows
    assert model.rowCount(model.index(1, 0)) == 2


def test_flipping_frame_order_keeps_numbers_and_reverses_rows() -> None:
    report = handmade_report()
    model = StacksModel(exception_stacks(report), most_recent_first=True)
    stack = model.index(0, 0)
    model.set_most_recent_first(False)
    stack = model.index(0, 0)
    assert model.index(0, StacksModel.COL_FUNCTION, stack).data() == "func_4"
    assert model.index(0, StacksModel.COL_INDEX, stack).data() == "4"
    text = stack_text(model.stacks[0], most_recent_first=True)
    assert text.splitlines()[1].strip().startswith("#0 func_0")


def test_binaries_sort_numerically_beyond_32_bits() -> None:
    report = handmade_report()
    model = BinariesModel(report.binaries)
    proxy = SortProxy()
    proxy.setSourceModel(model)
    proxy.sort(BinariesModel.COL_START, Qt.SortOrder.AscendingOrder)
    names = [proxy.index(r, 0).data() for r in range(proxy.rowCount())]
    assert names == ["small", "mid", "big", "none"]  # None sorts last
    assert proxy.index(2, BinariesModel.COL_START).data(SORT_ROLE) == f"{0xFFFF_FFFF_0000_0000:032x}"
    assert model.sort_value(0, BinariesModel.COL_START) == 0xFFFF_FFFF_0000_0000
    proxy.sort(BinariesModel.COL_SIZE, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, 0).data() == "big"
    assert model.index(1, BinariesModel.COL_END).data() == "0x00001100"
    assert report.binary_for(0x7FFF_0000_0010) == 2


def test_sizes_no_float_can_hold_are_shown_as_out_of_range() -> None:
    """Nightly fuzzing: an App Center binary range of 10**400 bytes made float(size) raise OverflowError."""
    assert format_size(-(10**400)) == "out of range" and format_size(10**400) == "out of range"
    assert format_size(2048) == "2.0 KB" and format_size(5) == "5 B" and format_size(None) == ""


def test_telemetry_time_is_relative_to_the_crash() -> None:
    report = handmade_report()
    model = TelemetryModel(report.telemetry, report.summary.timestamp)
    assert model.index(0, 0).data() == "-10.0 s"
    assert model.index(1, 0).data() == "-0.500 s"
    assert "http://x" in model.index(1, TelemetryModel.COL_MESSAGE).data()
    assert model.index(0, TelemetryModel.COL_LEVEL).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert format_relative(-125) == "-2 min 5 s"
    model.set_visible_rows([1])
    assert model.rowCount() == 1 and model.index(0, 4).data() == "second  http://x"
    assert model.view_row(0) is None and model.view_row(1) == 0


def test_metadata_tree_is_lazy_and_shows_containers() -> None:
    model = MetadataModel(handmade_report().metadata)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["attributes", "empty", "scalar"]
    attributes = model.index(0, 0)
    assert model.index(0, 1).data() == "{2 keys}"
    nested = model.index(1, 0, attributes)
    deep = model.index(0, 0, nested)
    assert model.index(0, 1, nested).data() == "[3 items]"
    assert model.rowCount(deep) == 3
    assert model.index(2, 1, deep).data() == "{1 keys}"
    assert model.rowCount(model.index(1, 0)) == 0  # an empty dict has no children
    assert model.index(2, 1).data() == "3"
    assert model.index(2, 0).data(OBJECT_ROLE) == 3
    huge = MetadataModel({"big": 2**70})
    assert huge.index(0, 0).data(OBJECT_ROLE) == str(2**70)  # never an OverflowError in data()


def test_problems_model_has_icons_and_pointers(corpus: Path) -> None:
    sub = load_path(str(corpus / "appcenter" / "docs_appleError_threads_binaries.json"))
    problems = validate(sub)
    model = ProblemsModel(problems)
    assert model.rowCount() == len(problems) > 0
    assert not model.index(0, 0).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.index(0, 1).data() == (problems[0].pointer or "/")
    assert problems[0].message in model.index(0, 0).data(COPY_ROLE)


def test_library_frame_heuristics() -> None:
    assert is_library_frame(Frame(file="/app/node_modules/express/index.js"))
    assert is_library_frame(Frame(module="libsystem_kernel.dylib"))
    assert not is_library_frame(Frame(file="/srv/app/main.py"))
    assert not is_library_frame(Frame(file="/usr/lib/x.py", in_app=True))


def million_frame_report(count: int = 1_000_000) -> Report:
    raw = [{"function": f"fn_{i}", "file": f"src/file_{i % 977}.js", "line": i} for i in range(count)]
    raw[count // 2]["function"] = "needle_in_the_haystack"
    frames = LazyList(
        raw,
        lambda item, i: Frame(function=item["function"], file=item["file"], line=item["line"], pointer=f"/f/{i}"),
        lambda item: f"{item['function']} {item['file']}",
    )
    return Report("rollbar", "trace", Summary(), exceptions=[ExceptionInfo("Error", "big", frames, pointer="/e")])


def test_filter_a_million_frames_is_fast() -> None:
    report = million_frame_report()
    stacks = exception_stacks(report)
    result = compute_filter(stacks, [], [], [], "NEEDLE_in")  # its speed: bench/bench_open.py (filter rows)
    assert result.frames.frames == {0: [500_000]}
    model = StacksModel(stacks, True)
    model.set_filter(result.frames)
    stack = model.index(0, 0)
    assert model.rowCount(stack) == 1
    assert model.index(0, 1, stack).data() == "needle_in_the_haystack"
    assert model.index(0, 0, stack).data() == "500000"


def test_pretty_layout_matches_json_dumps() -> None:
    from inspector.ui.document.models.pretty import line_count, locate, pretty_text

    value = {"a": [1, {"b": "x\ny", "c": []}, {}], "d": {"e": None}, "ü": "☃"}
    text = pretty_text(value)
    assert text == json.dumps(value, indent=2, ensure_ascii=False)
    lines = text.split("\n")
    assert line_count(value) == len(lines)
    first, last, _indent = locate(value, "/a/1")
    assert lines[first].strip() == "{" and lines[last].strip() == "},"
    first, last, _ = locate(value, "/d/e")
    assert lines[first].strip() == '"e": null' and first == last
    assert locate(value, "/nope") is None


def test_highlight_spans_count_utf16_units() -> None:
    from pygments.token import Name, String

    from inspector.ui.document.highlight_spans import json_lexer, lexer_for, line_spans, text_spans, utf16_len

    line = '  "k😀y": "välue😀",'
    spans = line_spans(line, json_lexer())
    assert sum(length for _s, length, _t in spans) == utf16_len(line) == len(line) + 2
    key = next(s for s in spans if s[2] in Name.Tag)
    assert key[:2] == (2, 6)  # "k😀y" with its quotes: the emoji takes two UTF-16 units
    value = next(s for s in spans if s[2] in String)
    assert value[0] == 10
    assert lexer_for("app/main.py").name == "Python"
    assert lexer_for(None, "javascript").name == "JavaScript"
    assert lexer_for("weird.zzz", "nope").name == "Text only"
    per_line = text_spans('"""doc\nstring"""\nx = 1', lexer_for("a.py"))
    assert len(per_line) == 3 and per_line[1][0][2] in String  # multi-line string coloured on its 2nd line


def test_hex_dump_and_binary_detection() -> None:
    from inspector.ui.document.models.hexdump import hex_dump, looks_binary

    dump = hex_dump(bytes(range(20)), limit=16)
    assert dump.splitlines()[0].startswith("00000000  00 01 02 03 04 05 06 07  08 09")
    assert "4 more bytes not shown (of 20)" in dump
    assert looks_binary(b"MDMP\x00\x00") and not looks_binary("héllo".encode())
