"""Conversion of every corpus report to each of the three APIs, and what the conversion report says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.formats import InspectorError, load_bytes, load_path, reports, validate
from inspector.formats.base import Severity, Submission
from inspector.report import Report
from inspector.toolkit.convert import TARGETS, convert, from_report
from inspector.toolkit.notes import Status
from tests.conftest import CORPUS, corpus_files


def _loadable() -> list[Path]:
    out = []
    for path in corpus_files():
        try:
            sub = load_path(str(path))
            if reports(sub):
                out.append(path)
        except InspectorError:
            continue
    return out


SOURCES = _loadable()


def test_the_corpus_covers_every_source_format() -> None:
    formats = {load_path(str(p)).format for p in SOURCES}
    assert formats == {"backtrace", "rollbar", "appcenter", "minidump", "apple"}
    assert len(SOURCES) >= 40


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name[:60])
def test_every_conversion_validates_without_errors(path: Path, target: str) -> None:
    conversion = convert(load_path(str(path)), target)
    data = conversion.to_bytes()
    sub = load_bytes(data, source_name="converted", format="auto")
    assert sub.format == target  # detected as the target, not only forced
    errors = [p for p in validate(sub) if p.severity is Severity.ERROR]
    assert errors == []
    assert reports(sub), "the result has a report"
    assert conversion.notes.notes, "the conversion report lists fields"
    assert conversion.notes.by_status(Status.GENERATED), "ids are always generated"


def _report(name: str) -> tuple[Submission, Report]:
    sub = load_path(str(CORPUS / name))
    return sub, reports(sub)[0]


def test_rollbar_trace_chain_becomes_app_center_inner_exceptions_and_back() -> None:
    _sub, report = _report("rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json")
    appcenter = from_report(report, "appcenter")
    exc = appcenter.value["logs"][0]["exception"]
    assert (exc["type"], exc["innerExceptions"][0]["type"]) == ("RuntimeError", "KeyError")
    assert len(exc["innerExceptions"][0]["frames"]) == 3
    back = reports(appcenter.submission())[0]
    rollbar = from_report(back, "rollbar")
    chain = rollbar.value["data"]["body"]["trace_chain"]
    assert [t["exception"]["class"] for t in chain] == ["RuntimeError", "KeyError"]
    # Rollbar frames are oldest first, as the source had them
    assert [f["method"] for f in chain[1]["frames"]] == [
        f["method"]
        for f in json.loads((CORPUS / "rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json").read_text())["data"][
            "body"
        ]["trace_chain"][1]["frames"]
    ]


def test_rollbar_chain_becomes_backtrace_error_annotation_with_causes() -> None:
    _sub, report = _report("rollbar/rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json")
    conversion = from_report(report, "backtrace")
    error = conversion.value["annotations"]["error"]
    assert (error["name"], error["cause"]["name"]) == ("Error", "TypeError")
    result = reports(conversion.submission())[0]
    assert [e.type for e in result.exceptions] == ["Error", "TypeError"]
    assert len(result.exceptions[1].frames) == 3  # the cause's frames travel as stack text and parse back
    assert result.crashed_thread is not None and len(result.crashed_thread.frames) == 1


def test_telemetry_becomes_breadcrumbs_and_back() -> None:
    _sub, report = _report("rollbar/rollbarjs-node-3.1.0_trace_chain-error-cause_telemetry.json")
    conversion = from_report(report, "backtrace")
    assert [p.name for p in conversion.parts] == ["attachment_bt-breadcrumbs-0"]
    crumbs = reports(conversion.submission())[0].telemetry
    assert [e.message for e in crumbs][1] == "about to process order 42"
    back = reports(convert(conversion.submission(), "rollbar").submission())[0].telemetry
    assert len(back) == len(report.telemetry) == 3


def test_backtrace_threads_and_attributes_to_app_center_and_rollbar() -> None:
    _sub, report = _report("backtrace/backtracepython-0.4.3_exception_3-threads.json")
    appcenter = from_report(report, "appcenter")
    log = appcenter.value["logs"][0]
    assert log["type"] == "handledError"  # Backtrace does not say fatal: a handled error with properties
    assert log["properties"]["hostname"]
    assert len(log["properties"]) <= 20
    lost = {n.source for n in appcenter.notes.by_status(Status.LOST)}
    assert "threads" in lost
    rollbar = from_report(report, "rollbar")
    data = rollbar.value["data"]
    assert "order_id" in data["custom"]
    assert data["body"]["trace"]["exception"]["class"] == "KeyError"
    assert "threads" in {n.source for n in rollbar.notes.by_status(Status.LOST)}


def test_app_center_properties_and_user_become_custom_and_person() -> None:
    _sub, report = _report("appcenter/docs_managedError_custom-platform_threads.json")
    rollbar = from_report(report, "rollbar").value["data"]
    assert rollbar["custom"]["device"]["os_name"]
    backtrace = from_report(report, "backtrace")
    threads = backtrace.value["threads"]
    assert len(threads) >= 2
    assert backtrace.value["mainThread"] in threads


def test_minidump_to_app_center_reuses_the_native_converter() -> None:
    sub = load_path(str(CORPUS / "minidump/breakpad_linux_null-dereference.dmp"))
    conversion = convert(sub, "appcenter")
    assert "minidump.to_appcenter_logs" in conversion.via
    assert conversion.value["logs"][1]["fileName"] == "minidump.dmp"
    backtrace = convert(sub, "backtrace")
    assert backtrace.value["modules"], "binaries carried as modules"
    assert "minidump bytes" in {n.source for n in backtrace.notes.by_status(Status.LOST)}


def test_apple_crash_report_to_rollbar_is_crash_report_raw() -> None:
    sub = load_path(str(CORPUS / "apple/rollbar-apple_macos_SIGSEGV_crash-report-raw.txt"))
    conversion = convert(sub, "rollbar")
    assert "crash_report" in conversion.value["data"]["body"]
    generic = convert(sub, "rollbar", native=False)
    assert "trace" in generic.value["data"]["body"]


def test_ids_are_fresh_and_timestamps_come_from_the_source() -> None:
    _sub, report = _report("rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json")
    a, b = from_report(report, "backtrace").value, from_report(report, "backtrace").value
    assert a["uuid"] != b["uuid"] != report.summary.id
    assert a["timestamp"] == int(report.summary.timestamp)


def test_unknown_target_and_reportless_input_are_clear_errors() -> None:
    sub = load_path(str(CORPUS / "rollbar/pyrollbar-1.5.0_trace_chain_raise-from.json"))
    with pytest.raises(InspectorError, match="cannot convert to 'sentry'"):
        convert(sub, "sentry")
    empty = load_path(str(CORPUS / "backtrace/backtrace-android_test_submit-response_ok.json"))
    with pytest.raises(InspectorError, match="no report"):
        convert(empty, "rollbar")


@pytest.mark.parametrize("stamp", ["1e300", "18446744073709551615"])  # a float / a plcrash uint64 beyond year 9999
def test_a_time_no_date_can_show_converts_to_app_center_with_a_note(stamp: str) -> None:
    value = json.loads((CORPUS / "rollbar" / "pyrollbar-1.5.0_trace_chain_raise-from.json").read_text())
    value["data"]["timestamp"] = 1
    text = json.dumps(value).replace('"timestamp": 1', f'"timestamp": {stamp}')
    sub = load_bytes(text.encode(), source_name="far.json")
    conversion = convert(sub, "appcenter")
    assert conversion.value["logs"][0]["timestamp"].endswith("Z")  # the time of conversion
    lost = [n for n in conversion.notes.by_status(Status.LOST) if n.source == "summary.timestamp"]
    assert lost and "not a time a date can show" in lost[0].detail
