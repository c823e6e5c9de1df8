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
from tests.fuzz.strategies import FUZZ, SURVEY, json_payloads, json_values, native_payloads

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
        target = Target(
            kind,
            TARGET_BASE,
            token="fuzz-token",
            app_secret="00000000-0000-0000-0000-000000000000",
            install_id="00000000-0000-0000-0000-000000000001",
            universe="fuzz",
        )
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


def _crash_site(exc: BaseException) -> str:
    import traceback

    last = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {exc} at {last.filename.split('/work/main/')[-1]}:{last.lineno}"[:300]


@pytest.mark.parametrize("folder", ["backtrace", "rollbar", "appcenter"])
def test_json_formats_survive_hostile_payloads(folder: str) -> None:
    outcomes: list[str] = []
    crashes: dict[str, tuple[int, str]] = {}

    @FUZZ
    @given(json_payloads(folder))
    def check(example: tuple[bytes, str]) -> None:
        if not SURVEY:
            outcomes.append(run_pipeline(*example))
            return
        try:
            outcomes.append(run_pipeline(*example))
        except Exception as exc:  # the survey goes on and lists every distinct crash site at the end
            outcomes.append("crash")
            site = _crash_site(exc)
            count, sample = crashes.get(site, (0, example[0][:300].decode("latin-1")))
            crashes[site] = (count + 1, sample)

    check()
    if crashes:
        print("\n".join(f"CRASH x{n}: {site}\n    e.g. {sample!r}" for site, (n, sample) in crashes.items()))
    print(f"\nfuzz {folder}: {len(outcomes)} examples, " + ", ".join(f"{k} {outcomes.count(k)}" for k in set(outcomes)))
    # the strategy must reach deep into the pipeline, not only produce garbage the decoder rejects
    assert len(outcomes) >= min(FUZZ.max_examples, 20)
    assert outcomes.count("ok") >= len(outcomes) // 5, outcomes
    assert not crashes, f"{len(crashes)} distinct crash sites"


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


@pytest.mark.parametrize("name", ["backtrace", "rollbar", "appcenter"])
def test_fast_schema_check_never_hides_an_error(name: str) -> None:
    """jsonschema-rs only confirms valid documents; whenever it says valid, jsonschema must find nothing."""
    from inspector.formats import schema

    if schema.fast_validator(name) is None:
        pytest.skip("jsonschema-rs is not installed: every document goes through jsonschema")
    checked: list[bool] = []

    @FUZZ
    @given(json_payloads(name))
    def check(example: tuple[bytes, str]) -> None:
        try:
            value, _ = parse_json(example[0])
        except InspectorError:
            return
        fast = schema.fast_is_valid(value, name)
        if fast:
            assert list(schema.validator(name).iter_errors(value)) == []
        checked.append(fast)

    check()
    assert True in checked  # some mutated documents stay valid: the fast path was exercised
