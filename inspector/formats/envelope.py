"""Peel the outer layers off an input: a captured HTTP request, chunked framing, gzip, multipart, form fields.

HTTP/1.1 framing is parsed with h11 (the library under httpx), not by hand. Multipart is split by a tolerant
splitter because real clients break the rules a strict parser enforces: backtrace-android's boundary ``*****``
uses characters RFC 2046 does not allow, and backtrace-cocoa ends its body with ``--boundary\\r\\n--`` instead of
``--boundary--``. Both quirks are accepted and reported as info problems.
"""

from __future__ import annotations

import gzip
import re
import zlib
from urllib.parse import parse_qsl

from inspector.formats.base import Envelope, HttpInfo, InspectorError, Part, Problem, info, warning
from inspector.formats.http_headers import header

#: Inputs above this size are refused before they are read (the CLI and the window both check it).
MAX_INPUT_BYTES = 1024 * 1024 * 1024
#: Decompressed bodies above this size are refused (a gzip bomb guard).
MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024

_REQUEST_LINE = re.compile(rb"^(POST|PUT|GET|PATCH) (\S+) HTTP/1\.[01]\r?\n")
#: Main payload part names, in order of preference.
MAIN_PART_NAMES = ("upload_file", "upload_file_minidump", "payload")


def looks_like_http_request(data: bytes) -> bool:
    return bool(_REQUEST_LINE.match(data[:2048]))


def parse_http_request(data: bytes) -> tuple[HttpInfo, bytes, list[str]]:
    """Parse a whole HTTP/1.1 request with h11. Returns the request info, the de-chunked body and the layers."""
    import h11  # imported here: the app's start and plain JSON inputs do not need it (15 ms)

    layers = ["http"]
    # Captures saved by some tools use bare LF line endings in the head; h11 accepts CRLF and LF alike.
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=1024 * 1024)
    conn.receive_data(data)
    conn.receive_data(b"")  # EOF: a truncated body becomes an error below
    request: h11.Request | None = None
    chunks: list[bytes] = []
    try:
        while True:
            event = conn.next_event()
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed) or event is h11.NEED_DATA:
                break
    except h11.RemoteProtocolError as exc:
        if request is None:
            raise InspectorError(f"not a valid HTTP request: {exc}", where="request head") from None
        got = sum(len(c) for c in chunks)
        raise InspectorError(
            f"the HTTP request body is truncated or badly framed ({exc}); read {got} body bytes", where="request body"
        ) from None
    if request is None:
        raise InspectorError("not a valid HTTP request: the head is incomplete", where="request head")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw_items()]
    http = HttpInfo(method=request.method.decode(), target=request.target.decode("latin-1"), headers=headers)
    if (http.header("transfer-encoding") or "").lower() == "chunked":
        layers.append("chunked")
    return http, b"".join(chunks), layers


def gunzip(data: bytes, *, where: str = "body") -> bytes:
    """Decompress gzip or zlib data with a size cap; InspectorError on damage."""
    try:
        decomp = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, auto-detected
        out = decomp.decompress(data, MAX_DECOMPRESSED_BYTES)
        if decomp.unconsumed_tail:
            raise InspectorError(f"the gzip {where} expands beyond {MAX_DECOMPRESSED_BYTES // 2**20} MB", where=where)
        if not decomp.eof:
            raise InspectorError(f"the gzip {where} is truncated", where=where)
        return out
    except zlib.error as exc:
        raise InspectorError(f"the {where} says gzip but does not decompress: {exc}", where=where) from None


def _content_type_params(value: str) -> tuple[str, dict[str, str]]:
    from email.message import Message  # imported here: plain JSON inputs and the app's start do not need it (10 ms)

    msg = Message()
    msg["content-type"] = value
    params = {k.lower(): v for k, v in msg.get_params(header="content-type", failobj=[])[1:]}
    return msg.get_content_type(), params


def boundary_of(content_type: str | None) -> str | None:
    if not content_type or "multipart/" not in content_type.lower():
        return None
    match = re.search(r'boundary\s*=\s*"?([^";]+)"?', content_type, re.IGNORECASE)
    return match.group(1).strip() if match else None


def _sniff_boundary(body: bytes) -> str | None:
    """A multipart body whose boundary is unknown (a bare body file): the first line is the delimiter."""
    if not body.startswith(b"--"):  # (and never split a 100 MB one-line JSON body to look at its first line)
        return None
    head = body[:300]
    first = head.split(b"\r\n", 1)[0] if b"\r\n" in head else head.split(b"\n", 1)[0]
    if first.startswith(b"--") and 3 <= len(first) <= 200 and b" " not in first.strip():
        rest = body[len(first) :]
        if b"content-disposition" in rest[:1000].lower():
            return first[2:].decode("latin-1").strip()
    return None


def _disposition(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in re.finditer(r';\s*([\w*-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)', ";" + value.split(";", 1)[-1]):
        key = match.group(1).lower()
        params[key] = match.group(3) if match.group(3) is not None else match.group(2).strip()
    return params


def split_multipart(body: bytes, boundary: str) -> tuple[list[Part], list[Problem]]:
    """Split a multipart/form-data body into parts, tolerating the quirks of real SDKs."""
    problems = []
    delim = b"--" + boundary.encode("latin-1")
    if not re.fullmatch(r"[0-9A-Za-z'()+_,\-./:=? ]{1,70}", boundary):
        problems.append(
            info(
                "/@multipart",
                f"boundary {boundary!r} uses characters RFC 2046 does not allow (accepted)",
                "RFC 2046 5.1.1",
            )
        )
    start = body.find(delim)
    if start < 0:
        raise InspectorError(f"multipart body does not contain its boundary {boundary!r}", where="multipart body")
    parts: list[Part] = []
    pos = start
    closed = False
    index = 0
    while True:
        after = pos + len(delim)
        if body[after : after + 2] == b"--":
            closed = True
            break
        nxt = body.find(b"\r\n" + delim, after)
        sep_len = 2
        if nxt < 0:
            nxt = body.find(b"\n" + delim, after)
            sep_len = 1
        if nxt < 0:
            chunk = body[after:]
            if chunk.strip(b"\r\n-") == b"":
                break  # cocoa's "--boundary\r\n--" ending: no further part
            problems.append(
                warning(
                    f"/@parts/{index}",
                    "the last multipart part has no closing boundary (read to the end)",
                    "RFC 2046 5.1.1",
                )
            )
            end = len(body)
        else:
            end = nxt
        chunk = body[after:end]
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        elif chunk.startswith(b"\n"):
            chunk = chunk[1:]
        part = _parse_part(chunk, index, problems)
        if part is not None:
            parts.append(part)
            index += 1
        if nxt < 0:
            break
        pos = end + sep_len
    if not closed:
        problems.append(
            info(
                "/@multipart",
                "the multipart body does not end with '--boundary--' (as backtrace-cocoa sends; accepted)",
                "RFC 2046 5.1.1",
            )
        )
    return parts, problems


def _parse_part(chunk: bytes, index: int, problems: list[Problem]) -> Part | None:
    head_end = chunk.find(b"\r\n\r\n")
    sep = 4
    if head_end < 0:
        head_end = chunk.find(b"\n\n")
        sep = 2
    if head_end < 0:
        if chunk.strip():
            problems.append(warning(f"/@parts/{index}", "a multipart part has no header block; skipped", "RFC 2046"))
        return None
    head = chunk[:head_end].decode("utf-8", "replace")
    data = chunk[head_end + sep :]
    headers: list[tuple[str, str]] = []
    for line in re.split(r"\r?\n", head):
        if ":" in line:
            key, value = line.split(":", 1)
            headers.append((key.strip(), value.strip()))
    disposition = header(headers, "content-disposition") or ""
    params = _disposition(disposition)
    name = params.get("name")
    if name is None:
        problems.append(
            warning(f"/@parts/{index}", "a multipart part has no name in Content-Disposition", "RFC 7578 4.2")
        )
        name = f"part{index}"
    content_type = header(headers, "content-type")
    part = Part(name=name, data=data, filename=params.get("filename"), content_type=content_type, headers=headers)
    if (header(headers, "content-encoding") or "").lower() == "gzip":
        part.data = gunzip(data, where=f"part {name!r}")
    return part


def decode(data: bytes, *, source_name: str | None = None) -> Envelope:
    """Turn raw input bytes into an Envelope. Raises InspectorError for damaged framing."""
    env = Envelope(body=data, source_name=source_name)
    content_type: str | None = None
    if looks_like_http_request(data):
        http, body, layers = parse_http_request(data)
        env.http, env.body = http, body
        env.layers.extend(layers)
        env.fields.extend(http.query)
        content_type = http.header("content-type")
        encoding = (http.header("content-encoding") or "").lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            env.body = gunzip(env.body, where="request body")
            env.layers.append("gzip")
        elif encoding and encoding != "identity":
            raise InspectorError(f"unsupported Content-Encoding {encoding!r}", where="Content-Encoding header")
    elif data[:2] == b"\x1f\x8b":
        env.body = gunzip(data, where="file")
        env.layers.append("gzip")
    peel_body(env, content_type)
    return env


def peel_body(env: Envelope, content_type: str | None) -> None:
    """Apply the body-level layers (multipart, form ``payload=``) in place."""
    body = env.body
    boundary = boundary_of(content_type) or (None if content_type else _sniff_boundary(body))
    if boundary:
        parts, problems = split_multipart(body, boundary)
        env.parts = parts
        env.problems.extend(problems)
        env.layers.append("multipart")
        main = next(
            (i for name in MAIN_PART_NAMES for i, p in enumerate(parts) if p.name == name),
            None,
        )
        env.main_part = main
        env.body = parts[main].data if main is not None else b""
        for part in parts:
            if not part.is_file and part.name not in MAIN_PART_NAMES:
                env.fields.append((part.name, part.data.decode("utf-8", "replace")))
        return
    ctype = (content_type or "").lower()
    if "application/x-www-form-urlencoded" in ctype or (not content_type and body[:8] == b"payload="):
        fields = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        payload = next((v for k, v in fields if k == "payload"), None)
        env.layers.append("form")
        if payload is not None:
            env.body = payload.encode("utf-8")
        env.fields.extend((k, v) for k, v in fields if k != "payload")


def read_input(path: str) -> bytes:
    """Read a file with the documented size limit, refusing larger files before reading them."""
    import os

    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InspectorError(f"cannot read {path}: {exc.strerror}") from None
    if os.path.isdir(path):
        raise InspectorError(f"{path} is a folder, not a file")
    if size > MAX_INPUT_BYTES:
        raise InspectorError(
            f"the file is {size / 2**30:.1f} GB; Crash Inspector reads files up to {MAX_INPUT_BYTES // 2**30} GB"
        )
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InspectorError(f"cannot read {path}: {exc.strerror}") from None


__all__ = ["MAX_INPUT_BYTES", "decode", "gunzip", "gzip", "peel_body", "read_input", "split_multipart"]
