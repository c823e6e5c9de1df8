"""A fuzz budget per input format: every parser meets damaged input with one clear line, never a traceback.

One test per format (Backtrace, Rollbar and App Center JSON, minidump, microdump, Apple text, Apple .ips,
PLCrashReporter, multipart / whole HTTP requests), seeded from the corpus and damaged by
:func:`tests.fuzz.strategies.broken_bytes` (flipped, cut, repeated and inserted bytes). For each example the
whole core runs (decode, detect, parse, validate, reports with every row touched); the only exception allowed
is :class:`InspectorError`, and its message is one non-empty line.

No wall-clock limit (a loaded CI machine would fail it): the budget is a number of examples, ``FUZZ`` (60 in the
normal run, the same every time). Nightly: ``CRASH_INSPECTOR_FUZZ_EXAMPLES=100000`` (random, not derandomized) and
``CRASH_INSPECTOR_FUZZ_SURVEY=1`` to collect every distinct failure instead of stopping at the first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.formats import load_bytes, reports, validate
from inspector.formats.base import InspectorError
from tests.fuzz.strategies import CORPUS, FUZZ, broken_bytes
from tests.fuzz.test_pipeline import touch_report

_IPS = (
    json.dumps({"app_name": "Demo", "bug_type": "309", "os_version": "macOS 14.4", "timestamp": "2024-03-01 10:00"})
    + "\n"
    + json.dumps(
        {
            "exception": {"type": "EXC_BAD_ACCESS", "signal": "SIGSEGV"},
            "faultingThread": 0,
            "threads": [{"triggered": True, "frames": [{"imageOffset": 4096, "imageIndex": 0, "symbol": "main"}]}],
            "usedImages": [{"base": 4294967296, "size": 65536, "name": "Demo", "uuid": "0" * 32}],
        }
    )
).encode()


def _files(folder: str, keep: Callable[[str], bool]) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted((CORPUS / folder).iterdir()) if p.is_file() and keep(p.name)]


SEEDS: dict[str, Callable[[], list[tuple[str, bytes]]]] = {
    "backtrace": lambda: _files("backtrace", lambda n: n.endswith(".json")),
    "rollbar": lambda: _files("rollbar", lambda n: n.endswith(".json")),
    "appcenter": lambda: _files("appcenter", lambda n: n.endswith(".json")),
    "minidump": lambda: _files("minidump", lambda n: n.endswith(".dmp") and "MICRODUMP" not in n),
    "microdump": lambda: _files("minidump", lambda n: "MICRODUMP" in n),
    "apple-text": lambda: _files("apple", lambda n: n.endswith((".crash", ".txt"))),
    "apple-ips": lambda: [("report.ips", _IPS)],
    "plcrash": lambda: _files("apple", lambda n: n.endswith(".plcrash")),
    "http-request": lambda: [
        seed for folder in ("backtrace", "rollbar") for seed in _files(folder, lambda n: n.endswith(".http"))
    ],
}


def _check(data: bytes, name: str) -> None:
    try:
        submission = load_bytes(data, source_name=name)
        validate(submission)
        for report in reports(submission):
            touch_report(report)
    except InspectorError as exc:
        message = str(exc)
        assert message.strip(), "an empty message"
        assert "\n" not in message and "\r" not in message, f"not one line: {message[:300]!r}"


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_each_format_meets_damaged_input_with_one_line(fmt: str) -> None:
    seeds = SEEDS[fmt]()
    assert seeds, f"no corpus seed for {fmt}"
    for name, data in seeds:  # the seeds themselves load (or say why in one line)
        _check(data, name)

    @FUZZ
    @given(st.sampled_from(seeds), st.data())
    def run(seed: tuple[str, bytes], data: st.DataObject) -> None:
        name, raw = seed
        for _ in range(data.draw(st.integers(1, 6))):
            raw = data.draw(broken_bytes(raw))
        _check(raw, name)

    run()


def test_the_budget_is_documented() -> None:
    from tests.fuzz import strategies

    assert "CRASH_INSPECTOR_FUZZ_EXAMPLES" in (Path(strategies.__file__).read_text())
    assert strategies.EXAMPLES >= 1
