"""The format core's reading of a captured request: the answer a vendor would give when the quick answer cannot
tell (:func:`analyze`), the validation summary the second stage adds (:func:`finish_analysis`), and a record
filled from its stored raw request (:func:`describe_capture`: recovery and pending records). Nothing here imports
Qt."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspector.formats import (
    InspectorError,
    Severity,
    Submission,
    get_format,
    load_bytes,
    validate,
)
from inspector.net.receiver_answers import (
    Answer,
    Route,
    error_answer,
    ok_answer,
    receiving,
    route,
    token_missing,
    transport_answer,
)
from inspector.net.store import CaptureRecord


@dataclass(slots=True)
class Analysis:
    """The answer and what the record says about the payload.

    ``submission`` is set while the validation summary is still to be computed (``pending``): the answer does
    not depend on it outside strict mode, so the receiver answers first and calls :func:`finish_analysis` later.
    """

    answer: Answer
    format: str | None = None
    kind: str | None = None
    exception: str = ""
    problems: list[dict[str, str]] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    submission: Submission | None = None

    @property
    def pending(self) -> bool:
        return self.submission is not None

    def fill(self, record: CaptureRecord, scrub: Callable[[str], str]) -> None:
        """Set the record fields this analysis knows, every text passed through ``scrub`` (secrets out)."""
        record.format = None if self.format is None else scrub(self.format)
        record.kind = None if self.kind is None else scrub(self.kind)
        record.exception = scrub(self.exception)
        record.problems = [{k: scrub(v) for k, v in p.items()} for p in self.problems]
        record.errors = self.errors
        record.warnings = self.warnings


def _exception_summary(sub: Submission) -> str:
    try:
        reports = get_format(sub.format).reports(sub)
    except Exception:  # a report that cannot be built is shown in the inspector, not here
        return ""
    for report in reports:
        for exc in report.exceptions:
            text = f"{exc.type}: {exc.message}" if exc.type and exc.message else (exc.type or exc.message or "")
            if text:
                return text[:200]
        title = getattr(report.summary, "title", None)
        if title:
            return str(title)[:200]
    return ""


def analyze(raw: bytes, r: Route, *, strict: bool, defer: bool = False) -> Analysis:
    """Read a captured request with the format core and decide the answer the vendor would give.

    Default mode answers success whenever the payload can be read at all and records its problems; ``strict``
    answers invalid payloads with the vendor's rejection (Rollbar 422 listing the problems; Backtrace and App
    Center 400). ``defer`` (ignored in strict mode, where the problems decide the answer) stops once the answer
    is known and leaves validation and the exception summary to :func:`finish_analysis`.
    """
    early = transport_answer(r)
    if early is not None:
        return Analysis(early)
    spec = receiving(r.api)
    assert spec is not None  # an unknown path was answered by transport_answer
    expects_json = spec.expects_json(r)
    try:
        sub = load_bytes(raw, source_name="capture", format=r.api if expects_json else "auto")
    except Exception as exc:  # InspectorError, or a format module's bug: the capture is kept either way
        message = f"malformed request: {exc}" if isinstance(exc, InspectorError) else f"could not read: {exc!r}"
        if expects_json or strict:
            return Analysis(error_answer(r.api, 400, message), problems=[_load_problem(message)], errors=1)
        answer = ok_answer(r, None)
        answer.note = message
        return Analysis(answer, problems=[_load_problem(message)], errors=1)
    refused = token_missing(r, sub.document.value if sub.document is not None else None)
    if refused is not None:
        return Analysis(refused, format=sub.format, kind=sub.kind)
    found = Analysis(ok_answer(r, sub), format=sub.format, kind=sub.kind, submission=sub)
    if defer and not strict:
        return found
    problems = finish_analysis(found)
    if strict and found.errors:
        lines = [f"{p.pointer or '/'}: {p.message}" for p in problems if p.severity is Severity.ERROR]
        found.answer = error_answer(r.api, spec.invalid_status, "invalid payload: " + "; ".join(lines))
    return found


def finish_analysis(found: Analysis) -> list[Any]:
    """Validate the kept submission and fill the summary (exception, problems, counts); returns the problems.

    A validator that fails sets ``answer.note`` (the record's note) instead of losing the capture.
    """
    sub = found.submission
    if sub is None:
        return []
    try:
        problems = validate(sub)
    except Exception as exc:  # a validator bug must not lose the capture
        problems = []
        found.answer.note = f"validation failed: {exc}"
    found.exception = _exception_summary(sub)
    found.problems = [p.as_dict() for p in problems]
    found.errors = sum(p.severity is Severity.ERROR for p in problems)
    found.warnings = sum(p.severity is Severity.WARNING for p in problems)
    found.submission = None
    return problems


def describe_capture(raw: bytes, record: CaptureRecord) -> None:
    """Fill a record from its stored raw request, as the receiver would have.

    A recovered record (its JSON was lost) gets everything the request tells; a ``pending`` one (the process
    died between answering and validating) keeps what it has and gets its validation summary.
    """
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1", "replace").split("\r\n")
    headers = {}
    for line in head[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    r = route(record.method, record.target, headers)
    found = analyze(raw, r, strict=False)
    if record.pending:
        record.format = record.format or found.format
        record.kind = record.kind or found.kind
        # The notes about the receiver's own placeholders describe the stored copy, not what the sender sent.
        problems = [p for p in found.problems if "redacted by the receiver" not in p.get("message", "")]
        record.exception, record.problems = found.exception, problems
        record.errors = sum(p.get("severity") == "error" for p in problems)
        record.warnings = sum(p.get("severity") == "warning" for p in problems)
        if found.answer.note and not record.note:
            record.note = found.answer.note
        record.pending = False
        return
    record.api, record.format, record.kind, record.exception = r.api, found.format, found.kind, found.exception
    record.problems, record.errors, record.warnings = found.problems, found.errors, found.warnings
    record.size = len(raw.split(b"\r\n\r\n", 1)[-1])


def _load_problem(message: str) -> dict[str, str]:
    return {"severity": "error", "pointer": "", "message": message, "rule": "receiver"}
