"""A support bundle: one zip with the redacted payload, its attachments, the HTML summary and the last response.

The last response comes from the send history (:mod:`inspector.net.history`), opened read-only: the bundle
never creates or changes the database. Without a history (or without a send of this file) the response is
left out and ``NOTES.txt`` says so. The list of redactions is included without the "before" values.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector import __version__, settings
from inspector.atomic import replacing
from inspector.formats import capabilities, reports, validate
from inspector.formats.base import InspectorError, Submission
from inspector.formats.jsondoc import dumps
from inspector.net.history import newest_send
from inspector.toolkit.export import to_html
from inspector.toolkit.redact import Rules, redact_submission


@dataclass
class BundleResult:
    path: Path
    entries: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    redactions: int = 0


def _history_path() -> Path | None:
    return settings.history_path()


#: What the bundle tells of the last send.
_SEND_KEYS = (
    "id",
    "started_at",
    "profile",
    "target_kind",
    "url",
    "status",
    "ok",
    "summary",
    "details",
    "response_headers",
    "response_body",
    "elapsed_ms",
)


def last_response(source: str | None, history_path: Path | None = None) -> dict[str, Any] | None:
    """The newest recorded send of ``source`` (path or file name), read-only; None when there is none."""
    path = history_path if history_path is not None else _history_path()
    if path is None or source is None or not Path(path).is_file():
        return None
    names = sorted({source, os.path.abspath(source), os.path.basename(source)})
    row = newest_send(names, os.path.basename(source), Path(path))
    if row is None:
        return None
    data: dict[str, Any] = {key: row.get(key) for key in _SEND_KEYS}
    body = bytes(data.pop("response_body") or b"")
    data["sent_at"] = datetime.fromtimestamp(data.pop("started_at"), UTC).isoformat()
    data["ok"] = bool(data["ok"])
    for key in ("details", "response_headers"):
        try:
            data[key] = json.loads(data[key])
        except (TypeError, json.JSONDecodeError):
            pass
    try:
        data["response_body"] = body.decode("utf-8")
    except UnicodeDecodeError:
        data["response_body_base64_bytes"] = len(body)
    return data


def _safe_name(name: str, used: set[str]) -> str:
    base = os.path.basename(name.replace("\\", "/")) or "attachment"
    base = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)
    candidate, n = base, 1
    while candidate in used:
        stem, ext = os.path.splitext(base)
        candidate, n = f"{stem}({n}){ext}", n + 1
    used.add(candidate)
    return candidate


def build_bundle(
    submission: Submission,
    out: str | Path,
    *,
    rules: Rules | None = None,
    source: str | None = None,
    history_path: Path | None = None,
) -> BundleResult:
    """Write the zip to ``out``. Raises InspectorError when it cannot be written."""
    redacted, changes = redact_submission(submission, rules)
    result = BundleResult(Path(out), redactions=len(changes))
    found = reports(redacted)
    problems = validate(redacted)
    files: list[tuple[str, bytes]] = []
    if redacted.document is not None:
        files.append(("payload.json", dumps(redacted.document.value, pretty=True)))
    else:
        kind = capabilities(redacted.format)
        files.append((f"payload{kind.file_suffix if kind.native else '.bin'}", redacted.envelope.body))
        if kind.native and not kind.redactable_text:
            result.notes.append("The minidump is binary and was not redacted: its memory may hold personal data.")
    if found:
        files.append(("summary.html", to_html(redacted, found[0], problems).encode("utf-8")))
    used: set[str] = set()
    for report in found[:1]:
        for att in report.attachments:
            try:
                files.append((f"attachments/{_safe_name(att.name, used)}", att.data()))
            except Exception as exc:  # an undecodable attachment of the source
                result.notes.append(f"Attachment {att.name} could not be read: {exc}")
    files.append(
        (
            "redactions.json",
            json.dumps(
                [
                    {
                        "pointer": c.pointer,
                        "where": c.where,
                        "rule": c.rule,
                        "after": c.after if not isinstance(c.after, str) or len(c.after) < 500 else c.after[:500] + "…",
                    }
                    for c in changes
                ],
                indent=2,
                ensure_ascii=False,
            ).encode("utf-8"),
        )
    )
    response = last_response(source, history_path)
    if response is not None:
        files.append(("last-response.json", json.dumps(response, indent=2, ensure_ascii=False).encode("utf-8")))
    else:
        result.notes.append("No last response: this file has no recorded send in the history.")
    notes = [
        f"Support bundle written by crash-inspector {__version__} on {datetime.now(UTC):%Y-%m-%d %H:%M UTC}",
        f"Source: {source or submission.envelope.source_name or '(unsaved)'} ({submission.format})",
        f"Redactions applied: {len(changes)} (see redactions.json; the original values are not included)",
        *result.notes,
        "",
        "Files:",
        *(f"  {name}" for name, _ in files),
    ]
    files.append(("NOTES.txt", ("\n".join(notes) + "\n").encode("utf-8")))
    try:
        with replacing(out) as handle, zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in files:
                zf.writestr(name, data)
    except OSError as exc:
        raise InspectorError(f"cannot write the bundle {out}: {exc.strerror or exc}") from None
    result.entries = [name for name, _ in files]
    return result
