"""Hostile input through the whole format core: nothing may raise except InspectorError with a message.

For every example: decode, detect, parse, validate, build the reports, touch every row of every LazyList (and
each attachment's bytes), and build the request for each of the format's TARGET_KINDS. The budget is small in
the normal run (``FUZZ``: 60 examples per test); ``CRASH_INSPECTOR_FUZZ_EXAMPLES=100000`` runs the nightly size.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.formats import get_format, load_bytes, reports, validate
from inspector.formats.base import InspectorError, Submission, Target
from inspector.formats.jsondoc import parse_json
from inspector.report import Report
from tests.fuzz.strategies import FUZZ, json_payloads, json_values, native_payloads

TARGET_BASE = "http://127.0.0.1:9"  # never contacted: build_request only builds


def touch_report(report: Report) -> int:
    """Read every row the views could ask for; returns how many rows were read."""
    seen = 0
    report.counts()
    for exc in report.exceptions:
        for frame in exc.frames:
            frame.search_text()
            frame.location()
            seen += 1
    for thread in report.threads:
        thread.search_text()
        for frame in thread.frames:
            frame.search_text()
            seen += 1
        for i in range(len(thread.frames)):
            if hasattr(thread.frames, "text"):
                thread.frames.text(i)  # the filter's cheap path
    for binary in report.binaries:
        binary.search_text()
        seen += 1
    for event in report.telemetry:
        event.search_text()
        seen += 1
    for attachment in report.attachments:
        try:
            attachment.data()
        except InspectorError:
            pass  # bad base64 / damaged part: a clear message is the contract
        seen += 1
    repr(report.metadata)
    return seen


def build_requests(submission: Submission) -> None:
    module = get_format(submission.format)
    for kind in getattr(module, "TARGET_KINDS", ()):
        target = Target(kind, TARGET_BASE, token="fuzz-token", app_secret="00000000-0000-0000-0000-000000000000",
                        install_id="00000000-0000-0000-0000-000000000001", universe="fuzz")
        try:
            spec = module.build_request(submission, target)
        except InspectorError as exc:
            assert str(exc).strip()
            continue
        assert spec.url.startswith(TARGET_BASE)
        assert isinstance(spec.body, bytes)


def run_pipeline(data: bytes, name: str) -> str:
    """The whole core on one input; returns "rejected: ..." or "ok" (for statistics)."""
    try:
        submission = load_bytes(data, source_name=name)
    except InspectorError as exc:
        assert str(exc).strip(), "an InspectorError needs a message"
        return "rejected"
    try:
        problems = validate(submission)
        assert all(p.message for p in problems)
        for report in reports(submission):
            touch_report(report)
    except InspectorError as exc:
        assert str(exc).strip()
        return "rejected later"
    build_requests(submission)
    if submission.document is not None:
        submission.document.to_bytes(pretty=True)
    return "ok"


@pytest.mark.parametrize("folder", ["backtrace", "rollbar", "appcenter"])
def test_json_formats_survive_hostile_payloads(folder: str) -> None:
    outcomes: list[str] = []

    @FUZZ
    @given(json_payloads(folder))
    def check(example: tuple[bytes, str]) -> None:
        outcomes.append(run_pipeline(*example))

    check()
    print(f"\nfuzz {folder}: {len(outcomes)} examples, " + ", ".join(f"{k} {outcomes.count(k)}" for k in set(outcomes)))
    # the strategy must reach deep into the pipeline, not only produce garbage the decoder rejects
    assert len(outcomes) >= min(FUZZ.max_examples, 20)
    assert outcomes.count("ok") >= len(outcomes) // 5, outcomes


@pytest.mark.parametrize("folder", ["minidump", "apple"])
def test_native_formats_survive_damaged_files(folder: str) -> None:
    outcomes: list[str] = []

    @FUZZ
    @given(native_payloads(folder))
    def check(example: tuple[bytes, str]) -> None:
        outcomes.append(run_pipeline(*example))

    check()
    assert "ok" in outcomes and len(outcomes) >= min(FUZZ.max_examples, 20)


@FUZZ
@given(json_values)
def test_parse_json_agrees_with_the_standard_library(value: Any) -> None:
    """Lossless: whatever the standard library reads (big ints, NaN, lone surrogates), parse_json reads the same."""
    import json
    import math

    text = json.dumps(value).encode("ascii")
    ours, _ = parse_json(text)

    def same(a: Any, b: Any) -> bool:
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        if type(a) is not type(b):
            return False
        if isinstance(a, dict):
            return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        return a == b

    assert same(ours, json.loads(text))


@FUZZ
@given(st.binary(max_size=300), st.sampled_from(["x.json", "x.dmp", "x.crash", "x.request.http", "x"]))
def test_random_bytes_give_clear_errors(data: bytes, name: str) -> None:
    run_pipeline(data, name)
