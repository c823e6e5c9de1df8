"""Attachments per API, without Qt: list, add, remove, rename, replace; limits; safe save-out names.

* Backtrace: multipart parts ``attachment_<name>`` (``attachment.<ext>`` is read too). They live in
  ``Submission.attachments``, not in the JSON, so edits produce a new part list.
* App Center: ``errorAttachment`` logs in the batch (``fileName``, ``contentType``, base64 ``data``, ``errorId``).
  They are JSON, so edits are document :class:`~inspector.formats.jsondoc.Edit`\\ s.
* Rollbar: the create-item API has no attachments.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
import unicodedata
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from inspector.compose.ids import iso_now
from inspector.formats import FORMAT_NAMES, capabilities
from inspector.formats.base import InspectorError, Part, as_object
from inspector.formats.jsondoc import Edit, join

#: App Center SDKs drop attachments above 7 MB (android Crashes.MAX_ATTACHMENT_SIZE, apple kMaxAttachmentSize).
APPCENTER_MAX_BYTES = 7 * 1024 * 1024
#: backtrace-unity skips attachments above 10 MiB; the server documents no limit, so this is a warning only.
BACKTRACE_WARN_BYTES = 10 * 1024 * 1024

NO_ATTACHMENTS = {
    "rollbar": "Rollbar's create-item API has no attachments: a Rollbar item is one JSON payload. "
    "Put small text in data.custom or a telemetry log event instead.",
    "minidump": "",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as the panel shows it. ``index`` is the part index or the App Center log index."""

    index: int
    filename: str
    content_type: str
    data: bytes
    field: str = ""  # Backtrace form-field name
    error_id: str = ""  # App Center errorId
    pointer: str = ""  # App Center: the log's pointer
    decode_problem: str = ""

    @property
    def size(self) -> int:
        return len(self.data)


def api_of(format: str) -> str:
    """The ingestion API whose endpoints take ``format`` (a minidump goes to Backtrace's); "" for no format."""
    return (capabilities(format).send_api or format) if format in FORMAT_NAMES else format


def in_document(format: str) -> bool:
    """Whether ``format``'s attachments live in its document (logs linked to an error), not as parts beside it."""
    api = api_of(format)
    return api in FORMAT_NAMES and capabilities(api).attachments_in_document


def supports(format: str) -> bool:
    api = api_of(format)
    return api in FORMAT_NAMES and capabilities(api).attachments


def guess_content_type(filename: str) -> str:
    """The seed's rule for Backtrace: ``.txt`` and ``.log`` parts need ``text/plain``."""
    lower = filename.lower()
    if lower.endswith((".txt", ".log")):
        return "text/plain"
    if lower.endswith(".json"):
        return "application/json"
    if lower.endswith(".dmp"):
        return "application/octet-stream"
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def size_problem(format: str, size: int) -> tuple[str, str] | None:
    """(severity, message) when ``size`` breaks (error) or risks (warning) the vendor's limit."""
    if api_of(format) not in FORMAT_NAMES:
        return None
    api = capabilities(api_of(format))
    if api.attachment_limit is not None and size > api.attachment_limit:
        return "error", (
            f"{human_size(size)} is above App Center's limit of 7 MB per attachment: "
            "the SDKs drop it and the server rejects it"
        )
    if api.attachment_warn is not None and size > api.attachment_warn:
        return (
            "warning",
            f"{human_size(size)}: backtrace-unity skips attachments above 10 MiB (the server sets no limit)",
        )
    return None


def human_size(size: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


# ------------------------------------------------------------------------------------------ listing


def from_parts(parts: list[Part]) -> list[Attachment]:
    out = []
    for i, part in enumerate(parts):
        name = part.filename or part.name.removeprefix("attachment_").removeprefix("attachment.")
        name = re.split(r"[\\/]", name)[-1] or part.name  # backtracepython sends the full path as the file name
        out.append(Attachment(i, name, part.content_type or "", part.data, field=part.name))
    return out


def appcenter_errors(value: Any) -> list[tuple[str, str]]:
    """(id, label) of every error log of a batch, for the errorId chooser."""
    logs = value.get("logs") if isinstance(value, dict) else None
    out = []
    for i, log in enumerate(logs if isinstance(logs, list) else []):
        if isinstance(log, dict) and log.get("type") in ("managedError", "appleError", "handledError"):
            exc = as_object(log.get("exception"))
            label = f"#{i} {log['type']} {exc.get('type') or log.get('exceptionType') or ''}".strip()
            out.append((str(log.get("id", "")), label))
    return out


def from_appcenter(value: Any) -> list[Attachment]:
    logs = value.get("logs") if isinstance(value, dict) else None
    out = []
    for i, log in enumerate(logs if isinstance(logs, list) else []):
        if not isinstance(log, dict) or log.get("type") != "errorAttachment":
            continue
        problem = ""
        try:
            data = base64.b64decode(str(log.get("data", "")), validate=True)
        except (binascii.Error, ValueError):
            data, problem = str(log.get("data", "")).encode("utf-8"), "data is not valid base64 (shown as text)"
        out.append(
            Attachment(
                i,
                str(log.get("fileName") or f"attachment-{i}"),
                str(log.get("contentType", "")),
                data,
                error_id=str(log.get("errorId", "")),
                pointer=join("/logs", i),
                decode_problem=problem,
            )
        )
    return out


# ------------------------------------------------------------------------------------------ Backtrace parts


def backtrace_field(filename: str) -> str:
    return "attachment_" + filename


def backtrace_add(parts: list[Part], filename: str, data: bytes, content_type: str | None = None) -> list[Part]:
    filename = sanitize_filename(filename)
    taken = {p.name for p in parts}
    stem, dot, ext = filename.rpartition(".") if "." in filename else (filename, "", "")
    n = 1
    while backtrace_field(filename) in taken:  # unity's rule for duplicates: name(1).ext
        filename = f"{stem}({n}){dot}{ext}" if dot else f"{filename}({n})"
        n += 1
    part = Part(
        name=backtrace_field(filename),
        data=data,
        filename=filename,
        content_type=content_type or guess_content_type(filename),
    )
    return [*parts, part]


def backtrace_remove(parts: list[Part], index: int) -> list[Part]:
    return [p for i, p in enumerate(parts) if i != index]


def backtrace_rename(parts: list[Part], index: int, filename: str) -> list[Part]:
    filename = sanitize_filename(filename)
    if any(p.name == backtrace_field(filename) for i, p in enumerate(parts) if i != index):
        raise InspectorError(f"another attachment is already called {filename!r}")
    old = parts[index]
    content_type = old.content_type
    if content_type in (None, "", guess_content_type(old.filename or "")):
        content_type = guess_content_type(filename)
    new = replace(old, name=backtrace_field(filename), filename=filename, content_type=content_type, headers=[])
    return [new if i == index else p for i, p in enumerate(parts)]


def backtrace_replace(parts: list[Part], index: int, data: bytes, content_type: str | None = None) -> list[Part]:
    old = parts[index]
    new = replace(old, data=data, content_type=content_type or old.content_type, headers=[])
    return [new if i == index else p for i, p in enumerate(parts)]


# ------------------------------------------------------------------------------------------ App Center logs


def appcenter_add(
    value: Any, filename: str, data: bytes, error_id: str, content_type: str | None = None, now: float | None = None
) -> list[Edit]:
    """Edits that append an errorAttachment log for ``error_id`` (device copied from that error)."""
    import time

    problem = size_problem("appcenter", len(data))
    if problem and problem[0] == "error":
        raise InspectorError(problem[1])
    errors = dict(appcenter_errors(value))
    if error_id not in errors:
        raise InspectorError("choose the error this attachment belongs to (errorId must be an error log's id)")
    logs = value["logs"]
    source = next(log for log in logs if isinstance(log, dict) and str(log.get("id")) == error_id)
    log: dict[str, Any] = {
        "type": "errorAttachment",
        "id": str(uuid.uuid4()),
        "timestamp": iso_now(time.time() if now is None else now),
    }
    if "device" in source:
        log["device"] = source["device"]
    log.update(
        {
            "errorId": error_id,
            "contentType": content_type or guess_content_type(filename),
            "fileName": sanitize_filename(filename),
            "data": base64.b64encode(data).decode("ascii"),
        }
    )
    return [Edit("insert", join("/logs", len(logs)), log)]


def appcenter_remove(log_index: int) -> list[Edit]:
    return [Edit("remove", join("/logs", log_index))]


def appcenter_rename(log_index: int, filename: str) -> list[Edit]:
    return [Edit("set", join("/logs", log_index, "fileName"), sanitize_filename(filename))]


def appcenter_replace(log_index: int, data: bytes, content_type: str | None = None) -> list[Edit]:
    problem = size_problem("appcenter", len(data))
    if problem and problem[0] == "error":
        raise InspectorError(problem[1])
    edits = [Edit("set", join("/logs", log_index, "data"), base64.b64encode(data).decode("ascii"))]
    if content_type:
        edits.append(Edit("set", join("/logs", log_index, "contentType"), content_type))
    return edits


def appcenter_set_error(log_index: int, error_id: str) -> list[Edit]:
    return [Edit("set", join("/logs", log_index, "errorId"), error_id)]


# ------------------------------------------------------------------------------------------ preview, save-out

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


#: Longest file name written, in UTF-8 bytes (NAME_MAX is 255; room is left for a " (2)" and a temp prefix).
MAX_NAME_BYTES = 200


def _safe_char(char: str) -> str:
    """A character kept as is, replaced (controls, reserved punctuation, lone surrogates) or dropped (format
    characters: bidi overrides such as U+202E that disguise ``evil\u202etxt.exe``, zero-width spaces)."""
    category = unicodedata.category(char)
    if category == "Cf":
        return ""
    if category in ("Cc", "Cs", "Co", "Cn") or char in '<>:"|?*':
        return "_"
    return char


def sanitize_filename(name: str, default: str = "attachment") -> str:
    """A file name safe to create in a chosen folder: never empty, no folders, no traversal, no control, format
    (bidi) or reserved names, valid UTF-8 of at most :data:`MAX_NAME_BYTES` bytes (the extension kept)."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # keep only the last path component, for / and \ alike
    name = "".join(_safe_char(c) for c in name)
    name = name.strip().strip(".").strip()
    if not name or set(name) <= {"."}:
        name = default
    if name.split(".")[0].lower() in _RESERVED:
        name = "_" + name
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        if not dot or not stem or len(ext.encode("utf-8")) > 16:
            stem, dot, ext = name, "", ""
        room = MAX_NAME_BYTES - len((dot + ext).encode("utf-8"))
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") or default
        name = stem + dot + ext
    return name


def save_path(folder: str | Path, filename: str) -> Path:
    """Where to save an attachment in ``folder``: sanitised, and guaranteed inside ``folder``."""
    root = Path(folder).resolve()
    path = (root / sanitize_filename(filename)).resolve()
    if path.parent != root:
        raise InspectorError(f"refusing to write outside {root}: {filename!r}")
    return path


def save_out(folder: str | Path, filename: str, data: bytes, *, overwrite: bool = False) -> Path:
    """Save an attachment. Raises FileExistsError when the file exists and ``overwrite`` was not asked for."""
    from inspector.atomic import write_bytes

    path = save_path(folder, filename)
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    write_bytes(path, data)
    return path


def preview_kind(content_type: str, filename: str, data: bytes) -> str:
    """``json``, ``text``, ``image`` or ``hex``."""
    lower_ct, lower = (content_type or "").lower(), filename.lower()
    if lower_ct.startswith("image/") or lower.endswith((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")):
        return "image"
    if b"\x00" in data[:8192]:
        return "hex"
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < min(len(data), 65536) - 4:  # a multi-byte character cut at the sample's end is fine
            return "hex"
    if "json" in lower_ct or lower.endswith(".json"):
        return "json"
    return "text"


def hexdump(data: bytes, limit: int = 64 * 1024) -> str:
    lines = []
    for offset in range(0, min(len(data), limit), 16):
        chunk = data[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  {text}")
    if len(data) > limit:
        lines.append(f"... {human_size(len(data) - limit)} more")
    return "\n".join(lines)
