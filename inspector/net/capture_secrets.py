"""Take the SDKs' secrets out of a captured request before the receiver writes anything.

The product rule: secrets live only in the OS keyring, never in settings, history, logs or data files. The
receiver's inbox is a data folder, so every secret a request carries is replaced by a same-length placeholder
(:func:`inspector.formats.base.redaction_placeholder`, letters only) where it was found:

* the ``X-Rollbar-Access-Token`` and ``App-Secret`` header values;
* the ``token`` / ``access_token`` query values (and form fields) and the ``{token}`` of Backtrace's
  ``/{universe}/{token}/{format}``;
* the value of every JSON member whose *decoded* key is ``access_token``, however the key and the value are
  spelled (``"access\\u005ftoken"``, ``"\\u0061..."``): JSON strings are tokenized (a linear scan) and decoded;
* any other occurrence of those values (8 characters or more) in the body: as-is, JSON-escaped, URL-encoded, or
  inside any JSON string that decodes to text holding it.

Redaction works on the decoded body, through every layer the format core reads
(:func:`inspector.formats.envelope.decode`): ``Content-Encoding`` gzip / x-gzip / deflate, multipart parts (each
possibly gzip-encoded itself) and a form's ``payload=`` field. Inflating is streamed with a running count and
stops at ``max_inflated`` (the receiver passes its body cap): :class:`InflatedTooLarge` makes the receiver answer
413. A layer that changed is encoded again (gzip/zlib, mtime 0) and Content-Length is fixed; layers without a
secret stay byte for byte as received. A body (or part) that cannot be decoded, so cannot be searched, is **not
stored**: it is replaced by nothing and :attr:`Redacted.removed` says what was dropped and why.

What was redacted is listed by name, with the last 4 characters of secrets long enough to spare them, so tokens
can be told apart. Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote, unquote_plus, unquote_to_bytes

from inspector.formats.base import is_redacted, redaction_placeholder
from inspector.formats.envelope import _sniff_boundary, boundary_of
from inspector.formats.receiving import BACKTRACE_FORMATS  # the format segment of ``/{universe}/{token}/{format}``

#: Headers whose whole value is a secret (lower case) and how the metadata names them.
SECRET_HEADERS = {"x-rollbar-access-token": "X-Rollbar-Access-Token header", "app-secret": "App-Secret header"}
#: Query keys (and form field names) whose value is a secret.
SECRET_QUERY_KEYS = ("token", "access_token")
#: Decoded JSON keys whose string value is a secret.
SECRET_JSON_KEYS = frozenset({"access_token"})
#: Values at least this long are also replaced wherever else they occur in the body.
MIN_ANYWHERE = 8
#: Default cap of an inflated body (the receiver passes its own, smaller, body cap).
MAX_INFLATED = 256 * 1024 * 1024
#: Content-Encoding values the format core decodes (zlib auto-detects a gzip or zlib header).
DECODABLE = ("gzip", "x-gzip", "deflate")
_STEP = 256 * 1024


class InflatedTooLarge(Exception):
    """A compressed body (or part) inflates beyond the cap."""


class Undecodable(Exception):
    """A compressed body (or part) that does not decompress."""


def inflate_capped(data: bytes | memoryview, limit: int) -> bytes:
    """Decompress gzip or zlib ``data`` (header auto-detected, like the format core) to at most ``limit`` bytes.

    Streaming with a running count: never more than ``limit`` + one step of output is held, whatever the ratio.
    Raises :class:`InflatedTooLarge` past the cap, :class:`Undecodable` on damaged or truncated data.
    """
    inflater = zlib.decompressobj(wbits=47)
    out: list[bytes] = []
    total = 0
    view = memoryview(data)
    try:
        for start in range(0, len(view), _STEP):
            pending: bytes | memoryview = view[start : start + _STEP]
            while pending:
                piece = inflater.decompress(pending, _STEP)
                total += len(piece)
                if total > limit:
                    raise InflatedTooLarge()
                out.append(piece)
                pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
            if inflater.eof:
                break
        while not inflater.eof:  # output still buffered inside the inflater
            piece = inflater.decompress(b"", _STEP)
            if not piece:
                break
            total += len(piece)
            if total > limit:
                raise InflatedTooLarge()
            out.append(piece)
    except zlib.error as exc:
        raise Undecodable(f"does not decompress: {exc}") from None
    if not inflater.eof:
        raise Undecodable("is truncated")
    return b"".join(out)


@dataclass(slots=True)
class Redacted:
    """The request as it may be stored, plus what was taken out.

    ``entries``: name and last 4 characters of each secret; ``removed``: what could not be searched and was
    therefore not stored (a sentence each); ``plain``: the body after its Content-Encoding, redacted (what
    the receiver reads its quick answer from), None when there is no readable body.
    """

    target: str
    headers: list[tuple[bytes, bytes]]
    body: bytes | None
    entries: list[dict[str, str]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    recompressed: bool = False
    removed: list[str] = field(default_factory=list)
    plain: bytes | None = None

    def scrub(self, text: str) -> str:
        """``text`` with every secret value (raw or URL-encoded, 8 characters or more) replaced by its placeholder.

        Shorter secrets (a test's ``"s"``) would garble ordinary words; they only occur where they were found.
        """
        for secret in self.secrets:
            if len(secret) < MIN_ANYWHERE:
                continue
            for form in dict.fromkeys((secret, quote(secret, safe=""), quote_plus(secret))):
                if form and form in text:
                    text = text.replace(form, redaction_placeholder(len(form)))
        return text

    def scrub_value(self, value: object) -> object:
        """:meth:`scrub` through the strings of a JSON-like value (a record's problem list)."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.scrub_value(v) for k, v in value.items()}
        return value


def _last4(secret: str) -> str:
    return secret[-4:] if len(secret) >= 12 else ""


class _Collector:
    def __init__(self) -> None:
        self.entries: list[dict[str, str]] = []
        self.secrets: list[str] = []
        self.removed: list[str] = []

    def add(self, name: str, secret: str) -> None:
        if not secret or is_redacted(secret):
            return
        entry = {"name": name, "last4": _last4(secret)}
        if entry not in self.entries:
            self.entries.append(entry)
        if secret not in self.secrets:
            self.secrets.append(secret)


def _redact_target(target: str, found: _Collector) -> str:
    path, sep, query = target.partition("?")
    parts = path.split("/")
    segments = [p for p in parts if p]
    if len(segments) == 3 and segments[2] in BACKTRACE_FORMATS:
        index = [i for i, p in enumerate(parts) if p][1]
        raw = parts[index]
        found.add("token (URL path)", unquote(raw))
        parts[index] = redaction_placeholder(len(raw))
        path = "/".join(parts)
    if sep:
        pieces = query.split("&")
        for i, piece in enumerate(pieces):
            key, eq, value = piece.partition("=")
            if eq and value and unquote_plus(key).lower() in SECRET_QUERY_KEYS:
                found.add(f"{unquote_plus(key)} (URL query)", unquote_plus(value))
                pieces[i] = f"{key}={redaction_placeholder(len(value))}"
        query = "&".join(pieces)
    return path + sep + query


def header_value(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    """The first value of header ``name`` (lower case), stripped and lower-cased; ``""`` when absent."""
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip().lower()
    return ""


@functools.lru_cache(maxsize=256)
def _placeholder(length: int) -> bytes:
    return redaction_placeholder(length).encode("ascii")


# ------------------------------------------------------------------------------------------------ JSON text

#: One JSON string literal (unrolled loop: linear, no backtracking blow-up).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_COLON = re.compile(rb"[ \t\r\n]*:[ \t\r\n]*")
#: The plain spelling, for text without ``\u`` escapes (the key's letters cannot be spelled otherwise there).
_PLAIN_KEY = re.compile(rb'"access_token"[ \t\r\n]*:[ \t\r\n]*("[^"\\]*(?:\\.[^"\\]*)*")', re.DOTALL)


def _decode_literal(literal: bytes) -> str | None:
    try:
        value = json.loads(literal)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, str) else None


def _find_json_secrets(data: bytes, found: _Collector) -> list[tuple[int, int]]:
    """Spans of the values of secret-named members, the secrets noted. Linear in ``data``."""
    spans: list[tuple[int, int]] = []
    if b"\\u" not in data:
        if b"access_token" not in data:
            return spans
        for match in _PLAIN_KEY.finditer(data):
            text = _decode_literal(match.group(1))
            if text is not None:
                found.add("access_token (body)", text)
            spans.append((match.start(1) + 1, match.end(1) - 1))
        return spans
    for match in _STRING.finditer(data):
        literal = match.group()
        key = _decode_literal(literal) if b"\\" in literal else literal[1:-1].decode("utf-8", "replace")
        if key not in SECRET_JSON_KEYS:
            continue
        colon = _COLON.match(data, match.end())
        if colon is None:
            continue
        value = _STRING.match(data, colon.end())
        if value is None:
            continue
        text = _decode_literal(value.group())
        if text is not None:
            found.add("access_token (body)", text)
        spans.append((value.start() + 1, value.end() - 1))
    return spans


@functools.lru_cache(maxsize=64)
def _spellings(secret: str) -> tuple[bytes, ...]:
    """The byte spellings of ``secret`` in a body: as is, JSON-escaped (ASCII or not), URL-encoded (a client
    sends the same token with every request: computed once)."""
    forms = (
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
    )
    return tuple(raw for raw in dict.fromkeys(f.encode("utf-8", "surrogatepass") for f in forms) if raw)


def _anywhere(data: bytes, secrets: list[str]) -> bytes:
    for secret in secrets:
        if len(secret) < MIN_ANYWHERE:
            continue
        for raw in _spellings(secret):
            if raw in data:
                data = data.replace(raw, _placeholder(len(raw)))
    return data


def _escaped_spellings(data: bytes, secrets: list[str]) -> bytes:
    """Strings holding a secret only once decoded (``"\\u0061bc..."``): their whole text is replaced."""
    long_secrets = [s for s in secrets if len(s) >= MIN_ANYWHERE]
    # Without \u or \/ escapes a string's only spelling is json.dumps's, which _anywhere already replaced.
    if not long_secrets or (b"\\u" not in data and b"\\/" not in data):
        return data
    spans = []
    for match in _STRING.finditer(data):
        literal = match.group()
        if b"\\" not in literal:
            continue
        text = _decode_literal(literal)
        if text is not None and any(s in text for s in long_secrets):
            spans.append((match.start() + 1, match.end() - 1))
    return _splice(data, spans)


def _splice(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    if not spans:
        return data
    out = []
    last = 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(data[last:start])
        out.append(_placeholder(end - start))
        last = end
    out.append(data[last:])
    return b"".join(out)


def _redact_text(data: bytes, found: _Collector) -> bytes:
    """A JSON (or any text) payload: secret-named members, then every spelling of every known secret."""
    data = _splice(data, _find_json_secrets(data, found))
    data = _anywhere(data, found.secrets)
    return _escaped_spellings(data, found.secrets)


# ------------------------------------------------------------------------------------------------ layers


def _multipart_parts(body: bytes, boundary: str) -> list[tuple[int, int, int]]:
    """(head start, data start, data end) of each part, found as the format core's tolerant splitter does."""
    delim = b"--" + boundary.encode("latin-1", "replace")
    pos = body.find(delim)
    parts: list[tuple[int, int, int]] = []
    while pos >= 0:
        after = pos + len(delim)
        if body[after : after + 2] == b"--":
            break
        nxt = body.find(b"\r\n" + delim, after)
        sep = 2
        if nxt < 0:
            nxt = body.find(b"\n" + delim, after)
            sep = 1
        end = nxt if nxt >= 0 else len(body)
        start = after + (2 if body[after : after + 2] == b"\r\n" else 1 if body[after : after + 1] == b"\n" else 0)
        head_end = body.find(b"\r\n\r\n", start, end)
        skip = 4
        if head_end < 0:
            head_end = body.find(b"\n\n", start, end)
            skip = 2
        if head_end >= 0:
            parts.append((start, head_end + skip, end))
        else:  # no header block: the core skips it, but its bytes are still stored: search them as text
            parts.append((start, start, end))
        if nxt < 0:
            break
        pos = end + sep
    return parts


def _part_header(head: bytes, name: bytes) -> str:
    for line in re.split(rb"\r?\n", head):
        key, colon, value = line.partition(b":")
        if colon and key.strip().lower() == name:
            return value.decode("latin-1").strip()
    return ""


def _redact_multipart(body: bytes, boundary: str, found: _Collector, limit: int) -> bytes:
    pieces: list[bytes] = []
    last = 0
    for start, data_start, end in _multipart_parts(body, boundary):
        head, data = body[start:data_start], body[data_start:end]
        name = re.search(rb'name="?([^";\r\n]*)', head)
        label = name.group(1).decode("latin-1", "replace") if name else "?"
        if _part_header(head, b"content-encoding").lower() in DECODABLE:
            try:
                plain = inflate_capped(data, limit)
            except Undecodable as exc:
                found.removed.append(f"multipart part {label!r} not stored: its gzip data {exc}")
                new = b""  # and its head no longer says gzip, so the stored request still reads
                head = re.sub(rb"(?im)^content-encoding:[^\r\n]*\r?\n", b"", head)
            else:
                redacted = _redact_text(plain, found)
                new = data if redacted == plain else gzip.compress(redacted, mtime=0)
        else:
            new = _redact_text(data, found)
        pieces.append(body[last:start])
        pieces.append(head)
        pieces.append(new)
        last = end
    pieces.append(body[last:])
    return b"".join(pieces)


def _redact_form(body: bytes, found: _Collector) -> bytes:
    """``a=b&payload=<url-encoded JSON>``: secret-named fields, and the JSON of ``payload`` decoded."""
    fields = body.split(b"&")
    for i, piece in enumerate(fields):
        key, eq, value = piece.partition(b"=")
        if not eq:
            continue
        name = unquote_plus(key.decode("latin-1"))
        if name.lower() in SECRET_QUERY_KEYS and value:
            found.add(f"{name} (form field)", unquote_plus(value.decode("latin-1")))
            fields[i] = key + b"=" + _placeholder(len(value))
        elif name == "payload":
            decoded = unquote_to_bytes(value.replace(b"+", b" "))
            redacted = _redact_text(decoded, found)
            if redacted == decoded:
                continue
            # Same length where the secrets were spelled plainly (the text around stays byte for byte) ...
            same = _anywhere(value, found.secrets)
            if _is_clean(unquote_to_bytes(same.replace(b"+", b" ")), found.secrets):
                fields[i] = key + b"=" + same
            else:  # ... else the field is encoded again from the redacted JSON
                fields[i] = key + b"=" + quote_plus(redacted).encode("ascii")
    return b"&".join(fields)


def _is_clean(data: bytes, secrets: list[str]) -> bool:
    """True when redacting ``data`` again (knowing ``secrets``) would change nothing."""
    probe = _Collector()
    probe.secrets = list(secrets)
    return _redact_text(data, probe) == data and probe.secrets == secrets


def _redact_content(data: bytes, content_type: str, found: _Collector, limit: int) -> bytes:
    boundary = boundary_of(content_type) or (None if content_type else _sniff_boundary(data))
    if boundary:
        return _redact_multipart(data, boundary, found, limit)
    ctype = content_type.lower()
    if "application/x-www-form-urlencoded" in ctype or (not content_type and data[:8] == b"payload="):
        data = _redact_form(data, found)
    return _redact_text(data, found)


def redact_request(
    target: str, headers: list[tuple[bytes, bytes]], body: bytes | None, *, max_inflated: int = MAX_INFLATED
) -> Redacted:
    """Find and replace the request's secrets. ``target`` is the raw request target, ``headers`` the raw pairs.

    Raises :class:`InflatedTooLarge` when a compressed body or part inflates beyond ``max_inflated``.
    """
    found = _Collector()
    new_target = _redact_target(target, found)
    new_headers: list[tuple[bytes, bytes]] = []
    for key, value in headers:
        name = SECRET_HEADERS.get(key.decode("latin-1").strip().lower())
        text = value.decode("latin-1")
        if name and text.strip():
            found.add(name, text.strip())
            lead = len(text) - len(text.lstrip())
            core = len(text.strip())
            value = (text[:lead] + redaction_placeholder(core) + text[lead + core :]).encode("latin-1")
        new_headers.append((key, value))
    out = Redacted(new_target, new_headers, body)
    if body:
        encoding = header_value(headers, b"content-encoding")
        content_type = next((v.decode("latin-1").strip() for k, v in headers if k.lower() == b"content-type"), "")
        plain: bytes | None
        if encoding in ("", "identity"):
            plain = body
        elif encoding in DECODABLE:
            try:
                plain = inflate_capped(body, max_inflated)
            except Undecodable as exc:
                found.removed.append(f"body not stored: it says Content-Encoding {encoding} but {exc}")
                plain = None
        else:
            found.removed.append(
                f"body not stored: Content-Encoding {encoding!r} cannot be decoded to take secrets out"
            )
            plain = None
        if plain is None:
            out.body = b""
            out.headers = _fix_length(out.headers, 0)
        else:
            count = len(found.secrets)
            redacted = _redact_content(plain, content_type, found, max_inflated)
            if len(found.secrets) > count:  # secrets found in the body: search the parts before them again
                redacted = _redact_content(redacted, content_type, found, max_inflated)
            out.plain = redacted
            if redacted != plain:
                if encoding in DECODABLE:
                    out.body = gzip.compress(redacted, mtime=0) if body[:2] == b"\x1f\x8b" else zlib.compress(redacted)
                    out.recompressed = True
                else:
                    out.body = redacted
                if len(out.body) != len(body):
                    out.headers = _fix_length(out.headers, len(out.body))
    out.entries, out.secrets, out.removed = found.entries, found.secrets, found.removed
    return out


def _fix_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    return [(k, str(length).encode() if k.lower() == b"content-length" else v) for k, v in headers]


__all__ = [
    "BACKTRACE_FORMATS",
    "InflatedTooLarge",
    "Redacted",
    "Undecodable",
    "header_value",
    "inflate_capped",
    "redact_request",
]
