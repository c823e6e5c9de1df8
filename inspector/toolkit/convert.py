"""Convert any loaded report to one of the three ingestion APIs, with a field-by-field conversion report.

Everything goes through the normalized Report (:mod:`inspector.toolkit.neutral`), except where a native
format's own converter is the vendor's documented path (a minidump to App Center is a ``custom.ndk`` upload of
the dump itself; an Apple crash report to Rollbar is ``crash_report.raw``). Ids are fresh uuids; times come
from the source summary. The result is loaded back through the registry, so it is a real Submission that the
target module validates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspector.formats import JSON_FORMATS, capabilities, get_format, load_bytes, reports, validate
from inspector.formats.base import InspectorError, Part, Problem, Severity, Submission
from inspector.formats.jsondoc import Document, dumps
from inspector.report import Report
from inspector.toolkit import to_appcenter, to_backtrace, to_rollbar
from inspector.toolkit.neutral import Neutral, neutral_of
from inspector.toolkit.notes import ConversionNotes

TARGETS = JSON_FORMATS  # the three APIs a report converts to
TITLES = {name: get_format(name).TITLE for name in TARGETS}


@dataclass
class Conversion:
    """The converted payload: ``value`` (JSON), ``parts`` (Backtrace attachments/breadcrumbs) and the notes."""

    source_format: str
    target: str
    value: Any
    parts: list[Part] = field(default_factory=list)
    notes: ConversionNotes = field(default_factory=ConversionNotes)
    via: str = "normalized report"

    def json_bytes(self) -> bytes:
        return dumps(self.value, pretty=True)

    @property
    def _parts_file(self) -> Callable[[bytes, list[Part]], bytes] | None:
        """How the target writes a payload with parts as one file (None: no parts, or the API takes none)."""
        return capabilities(self.target).parts_file if self.parts else None

    def to_bytes(self) -> bytes:
        """What to write to a file: the JSON, or with parts the target's file of both (Backtrace: multipart)."""
        parts_file = self._parts_file
        return parts_file(dumps(self.value), self.parts) if parts_file is not None else self.json_bytes()

    @property
    def suggested_suffix(self) -> str:
        return ".multipart" if self._parts_file is not None else ".json"

    def submission(self) -> Submission:
        """The result loaded through the registry as the target format."""
        return load_bytes(self.to_bytes(), source_name=f"converted{self.suggested_suffix}", format=self.target)

    def problems(self) -> list[Problem]:
        return validate(self.submission())

    def errors(self) -> list[Problem]:
        return [p for p in self.problems() if p.severity is Severity.ERROR]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_format,
            "target": self.target,
            "via": self.via,
            "counts": self.notes.counts(),
            "notes": self.notes.as_list(),
            "parts": [{"name": p.name, "bytes": len(p.data)} for p in self.parts],
        }


def from_report(report: Report, target: str) -> Conversion:
    """The architecture's ``from_report(report) -> document`` for each target, with the conversion notes."""
    if target not in TARGETS:
        raise InspectorError(f"cannot convert to {target!r}; targets: {', '.join(TARGETS)}")
    notes = ConversionNotes()
    value, parts = _FROM_NEUTRAL[target](neutral_of(report), notes)
    return Conversion(report.format, target, value, parts, notes)


#: The converter of each target API: the neutral view -> (JSON value, parts beside it).
_FROM_NEUTRAL: dict[str, Callable[[Neutral, ConversionNotes], tuple[Any, list[Part]]]] = {
    "rollbar": lambda n, notes: (to_rollbar.from_neutral(n, notes), []),
    "appcenter": lambda n, notes: (to_appcenter.from_neutral(n, notes), []),
    "backtrace": to_backtrace.from_neutral,
}


def from_report_document(report: Report, target: str) -> Document:
    return Document.from_value(from_report(report, target).value)


def _native(submission: Submission, report: Report, target: str) -> Conversion | None:
    """The format's own converter (declared in its capabilities) where it is the vendor's documented path."""
    converter = capabilities(submission.format).can_convert_to.get(target)
    if converter is None or (converter.report_kind is not None and report.kind != converter.report_kind):
        return None
    value = converter.convert(submission)
    notes = ConversionNotes()
    notes.carried(converter.carried, converter.where, f"by {converter.via}")
    notes.generated("ids", "fresh uuids")
    return Conversion(submission.format, target, value, notes=notes, via=converter.via)


def convert(submission: Submission, target: str, *, report_index: int = 0, native: bool = True) -> Conversion:
    """Convert one report of ``submission`` (the first by default) to ``target``.

    Raises InspectorError for an unknown target or a submission without a report to convert.
    """
    if target not in TARGETS:
        raise InspectorError(f"cannot convert to {target!r}; targets: {', '.join(TARGETS)}")
    found = reports(submission)
    if not found:
        raise InspectorError("the input has no report to convert")
    if not 0 <= report_index < len(found):
        raise InspectorError(f"report {report_index + 1} does not exist (the input has {len(found)})")
    report = found[report_index]
    conversion = _native(submission, report, target) if native else None
    if conversion is None:
        conversion = from_report(report, target)
    if len(found) > 1:
        others = len(found) - 1
        conversion.notes.lost(
            "other reports", f"{others} more report(s) in the input; only report {report_index + 1} was converted"
        )
    lost = capabilities(submission.format).lost_when_normalized
    if lost is not None and conversion.via == "normalized report":
        conversion.notes.lost(*lost)
    return conversion
