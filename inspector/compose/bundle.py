"""Save a submission as one file that re-opens to the same state (written by :mod:`inspector.atomic`).

A payload without attachments saves as its JSON text. A submission with attachments (or any multipart upload,
such as a Backtrace minidump) saves as its multipart body: the report part, the attribute form fields and every
attachment with its file name and content type (``.multipart``); a submission that came as a whole HTTP request
keeps its request line and headers (``.request.http``). The format core already reads both
(:func:`inspector.formats.load_path` finds a bare body's boundary on its first line), so no new container format
and no hook in the envelope decoder are needed, and the file can be replayed with curl ``--data-binary``.
"""

from __future__ import annotations

from inspector.atomic import write_bytes
from inspector.formats.base import HttpInfo, Part, Submission
from inspector.formats.multipart import form_of_parts

#: The one atomic write (:mod:`inspector.atomic`), under the name callers import from here.
atomic_write = write_bytes

#: Headers that describe the body we write ourselves; copied ones are dropped.
_BODY_HEADERS = {"content-type", "content-length", "transfer-encoding", "content-encoding"}


def http_request(body: bytes, content_type: str, http: HttpInfo) -> bytes:
    """An HTTP/1.1 request with ``http``'s method, target and headers around a new body."""
    method, target = http.method, http.target
    headers = [(k, v) for k, v in http.headers if k.lower() not in _BODY_HEADERS]
    headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
    return head.encode("latin-1", "replace") + body


def multipart_request(
    main: Part, attachments: list[Part], fields: list[tuple[str, str]], *, http: HttpInfo | None = None
) -> bytes:
    """With ``http`` (the request the submission came in) an HTTP request; without, the bare multipart body.

    A bare body carries no URL and so no token: the loader finds its boundary on the first line.
    """
    body, boundary = form_of_parts(main, fields, attachments)
    return http_request(body, f"multipart/form-data; boundary={boundary}", http) if http else body


def form_fields(submission: Submission) -> list[tuple[str, str]]:
    """Plain form fields of a multipart submission (attributes sent beside the report), in order."""
    env = submission.envelope
    attached = {id(p) for p in submission.attachments}
    return [
        (p.name, p.data.decode("utf-8", "replace"))
        for i, p in enumerate(env.parts)
        if i != env.main_part
        and not p.is_file
        and id(p) not in attached
        and not p.name.startswith(("attachment_", "attachment."))
    ]


def needs_bundle(submission: Submission) -> bool:
    return bool(submission.attachments) or submission.envelope.main_part is not None or submission.document is None


def save_bytes(submission: Submission, text: str | None) -> tuple[bytes, str]:
    """The bytes to save and the natural extension (``.json`` or ``.request.http``).

    ``text`` is the payload text to write (the editor's); None uses the document's bytes (or the native body).
    """
    env = submission.envelope
    doc = submission.document
    payload = text.encode("utf-8") if text is not None else (doc.to_bytes() if doc is not None else env.body)
    if not needs_bundle(submission):
        if env.http is not None:
            ctype = env.http.header("content-type") or "application/json"
            return http_request(payload, ctype, env.http), ".request.http"
        return payload, ".json"
    if env.main_part is not None:
        old = env.parts[env.main_part]
        main = Part(name=old.name, data=payload, filename=old.filename, content_type=old.content_type)
    else:
        main = Part(
            name="upload_file",
            data=payload,
            filename="upload_file",
            content_type="application/json" if doc is not None else "application/octet-stream",
        )
    data = multipart_request(main, list(submission.attachments), form_fields(submission), http=env.http)
    return data, ".request.http" if env.http is not None else ".multipart"
