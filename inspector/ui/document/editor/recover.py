"""Open invalid JSON in the editor instead of an error page, so a payload pasted from a ticket (or App Center's own
trailing-comma docs sample) can be fixed in place.

The text is read leniently with :mod:`json5` (trailing commas, comments, single quotes: what hand-edited payloads
carry; a well-kept parser of a published grammar rather than home-made repairs). When that works, the trees show
that reading; when it does not, they show an empty skeleton of the format the text names, and a problem explains.
Either way the editor gets the file's text exactly as it is, with the syntax error marked at its line and column.
Nothing here imports Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import orjson

from inspector.formats import load_bytes
from inspector.formats.base import InspectorError, Problem, Severity, Submission

#: Larger texts are not read leniently (json5 is pure Python: ~1 MB/s); they get the skeleton.
LENIENT_LIMIT = 4 * 1024 * 1024

#: The smallest document each JSON format recognizes, chosen by a key the broken text contains.
_SKELETONS: tuple[tuple[bytes, bytes], ...] = (
    (b'"logs"', b'{"logs": []}'),
    (b'"data"', b'{"data": {}}'),
    (b'"access_token"', b'{"data": {}}'),
    (
        b"",
        b'{"uuid": "", "timestamp": 0, "lang": "", "langVersion": "", "agent": "", "agentVersion": "",'
        b' "mainThread": "", "threads": {}}',
    ),
)


@dataclass(slots=True)
class Recovered:
    """A submission for the trees, and the file's own text for the editor (with its syntax error)."""

    submission: Submission
    text: str
    lenient: bool  # the trees show a lenient reading of the text (else an empty skeleton)


def is_json_syntax_error(exc: BaseException) -> bool:
    return isinstance(exc, InspectorError) and "invalid JSON" in str(exc)


def _text_of(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return text if text.lstrip()[:1] in ("{", "[") else None


def recover(data: bytes, error: InspectorError, source_name: str | None = None) -> Recovered | None:
    """A way to open ``data`` (which failed with the JSON syntax ``error``) in the editor, or None when it is not
    JSON-looking text (binary, another format)."""
    if not is_json_syntax_error(error):
        return None
    text = _text_of(data)
    if text is None:
        return None
    submission: Submission | None = None
    if len(data) <= LENIENT_LIMIT:
        submission = _lenient(text, source_name)
    lenient = submission is not None
    if submission is None:
        submission = _skeleton(data, source_name)
    if submission is None:
        return None
    shown = "a lenient reading of it (trailing commas and comments allowed)" if lenient else "no data from it"
    submission.load_problems.insert(
        0,
        Problem(
            Severity.ERROR,
            "",
            f"The file is not valid JSON: {_reason(error)}; the trees show {shown}. "
            "Fix the text in the raw editor, where the error is marked, then save.",
            "RFC 8259",
        ),
    )
    return Recovered(submission, text, lenient)


def _reason(error: InspectorError) -> str:
    message = error.message.removeprefix("invalid JSON: ")
    return f"{message} at {error.where}" if error.where and error.where not in message else message


def recover_file(path: str, error: BaseException) -> Recovered | None:
    """:func:`recover` for a file that failed to load (None when it cannot be read or is not JSON-looking text)."""
    if not isinstance(error, InspectorError) or not is_json_syntax_error(error):
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return recover(data, error, source_name=Path(path).name)


def _lenient(text: str, source_name: str | None) -> Submission | None:
    import json5

    try:
        value = json5.loads(text)
        data = orjson.dumps(value)
        return load_bytes(data, source_name=source_name)
    except (ValueError, TypeError, RecursionError, orjson.JSONEncodeError, InspectorError):
        return None


def _skeleton(data: bytes, source_name: str | None) -> Submission | None:
    for key, skeleton in _SKELETONS:
        if key in data:
            try:
                return load_bytes(skeleton, source_name=source_name)
            except InspectorError:
                continue
    return None
