"""Upload symbols and source maps to Backtrace: ``POST {base}/{universe}/{token}/symbols`` (or ``/sourcemap``),
``{host}/api/post?format=symbols&token=`` on-premise, ``{host}/post?format=…`` to a listener.

The body is ``multipart/form-data`` as the seed's curl samples build it: ``upload_file`` (the archive, or a bare
``.map``) then one ``tag`` field per tag. It is streamed from disk by the one send pipeline
(:func:`inspector.net.client.send_request`) with progress and cancel; the archive is never read into memory.

``Expect:``: the seed tells curl users to pass ``-H "Expect:"`` for large files, which stops curl from sending
``Expect: 100-continue`` and waiting for the server's go-ahead (which Backtrace's front end does not give
promptly). We never send ``Expect`` at all, so the body follows the headers at once; a ``100 Continue`` that a
server sends anyway is passed over (httpcore reads on to the final answer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from inspector.formats import backtrace
from inspector.formats.backtrace_url import build_url
from inspector.formats.base import FileSlice, InspectorError, Outcome, RequestSpec, Target
from inspector.formats.multipart import form_part_head, form_pieces
from inspector.net.answers import name_target
from inspector.net.client import Cancel, Exchange, ProgressFn, SendOptions, send_request
from inspector.net.upload_archive import UploadFile, prepare_upload_file

#: Upload kinds: the ``format`` in the URL and what the user calls it.
UPLOAD_KINDS = {"symbols": "symbol archive", "sourcemap": "source maps"}
BACKTRACE_KINDS = ("backtrace-hosted", "backtrace-onprem", "backtrace-direct")

RXID_MEANING = (
    "_rxid is Backtrace's receipt number for this upload: the server stored the archive and will process it in "
    "the background (symbols are then listed under the project's Symbols settings, source maps are applied to "
    "JavaScript errors received from then on). Quote the _rxid to Backtrace support to trace this upload."
)


def check_target(target: Target) -> None:
    if target.kind not in BACKTRACE_KINDS:
        raise InspectorError(
            f"symbol and source-map uploads go to a Backtrace endpoint; this profile is a {target.kind!r} one"
        )
    if not target.token:
        raise InspectorError("the Backtrace target has no token (a symbol:post token goes in the URL)")
    if target.kind == "backtrace-hosted" and not target.universe:
        raise InspectorError("a submit.backtrace.io target needs the universe (subdomain) name")
    if target.kind != "backtrace-hosted" and not target.base_url:
        raise InspectorError(f"a {target.kind} target needs the server's base URL")


def upload_url(target: Target, kind: str) -> str:
    check_target(target)
    assert target.token is not None
    return build_url(
        target.kind, target.base_url, token=target.token, universe=target.universe, attributes=[], format=kind
    )


def build_upload_request(upload: UploadFile, target: Target, kind: str, tags: list[str]) -> RequestSpec:
    """The streamed multipart request: ``upload_file`` (from disk), then ``tag`` fields, no ``Expect`` header."""
    if kind not in UPLOAD_KINDS:
        raise InspectorError(f"unknown upload kind {kind!r}; use one of {', '.join(UPLOAD_KINDS)}")
    url = upload_url(target, kind)
    parts: list[tuple[list[str], bytes | FileSlice]] = [
        (
            form_part_head("upload_file", upload.filename, upload.content_type),
            FileSlice(str(upload.path), upload.size),
        ),
    ]
    parts += [(form_part_head("tag"), tag.encode("utf-8")) for tag in tags]
    pieces, boundary = form_pieces(parts)
    headers = [("Content-Type", f"multipart/form-data; boundary={boundary}"), ("Accept", "application/json")]
    notes = [f"upload_file: {upload.filename} ({upload.size} bytes, {upload.content_type}), streamed from disk"]
    if upload.built:
        notes.append(f"the tool built this {upload.kind} of {upload.members} file(s)")
    return RequestSpec("POST", url, headers, b"", secrets=[target.token or ""], notes=notes, stream=tuple(pieces))


def response_reader(kind: str) -> Callable[[int, list[tuple[str, str]], bytes], Outcome]:
    """Backtrace's answer explained for an upload: the ``_rxid`` in plain words, 401/403 as the symbol:post scope."""
    what = UPLOAD_KINDS[kind]

    def read(status: int, headers: list[tuple[str, str]], body: bytes) -> Outcome:
        outcome = backtrace.read_response(status, headers, body)
        if outcome.ok:
            if outcome.id:
                outcome.summary = f"Backtrace accepted the {what}: receipt (_rxid) {outcome.id}"
                outcome.details.insert(0, RXID_MEANING)
            else:
                outcome.summary = f"Backtrace accepted the {what} (its answer has no _rxid receipt)"
        elif status in (401, 403):
            outcome.summary = (
                f"{status}: the token is invalid or lacks the symbol:post scope (symbol and source-map uploads "
                "need a token with symbol:post; error:post is not enough)"
            )
        return outcome

    return read


@dataclass(slots=True)
class UploadResult:
    upload: UploadFile
    exchange: Exchange


def upload(
    paths: list[Path],
    target: Target,
    kind: str,
    *,
    tags: list[str] | None = None,
    archive_format: str = "zip",
    options: SendOptions | None = None,
    client: httpx.Client | None = None,
    packing: ProgressFn | None = None,
    progress: ProgressFn | None = None,
    cancel: Cancel | None = None,
) -> UploadResult:
    """Pack (when needed), send, and delete what was packed. Raises InspectorError for bad input (nothing sent).

    ``packing`` reports the archive being built, ``progress`` the bytes sent. An upload is not retried on
    429/503 unless ``options.max_attempts`` says so (a retried multi-GB upload is the user's decision).
    """
    check_target(target)
    if kind not in UPLOAD_KINDS:
        raise InspectorError(f"unknown upload kind {kind!r}; use one of {', '.join(UPLOAD_KINDS)}")
    options = options or SendOptions(max_attempts=1)
    made = prepare_upload_file(paths, kind, archive_format=archive_format, progress=packing, cancel=cancel)
    try:
        spec = build_upload_request(made, target, kind, list(tags or []))
        exchange = send_request(
            spec,
            read_response=response_reader(kind),
            options=options,
            client=client,
            progress=progress,
            cancel=cancel,
        )
    finally:
        made.discard()
    if exchange.outcome is not None:  # who answered: "the local receiver", a staging server's origin
        exchange.outcome = name_target(exchange.outcome, backtrace, target)
    return UploadResult(made, exchange)
