"""Take the SDKs' secrets out of a captured request before the receiver writes anything.

The product rule: secrets live only in the OS keyring, never in settings, history, logs or data files. The
receiver's inbox is a data folder, so every secret a request carries is replaced by a same-length placeholder
(:func:`inspector.formats.base.redaction_placeholder`, letters only) where it was found:

* the ``X-Rollbar-Access-Token`` and ``App-Secret`` header values;
* the ``token`` / ``access_token`` query values and the ``{token}`` of Backtrace's ``/{universe}/{token}/{format}``;
* Rollbar's ``access_token`` in a JSON body or in the JSON of a form body's ``payload=`` field: only the bytes
  of the value are rewritten, the JSON / form text around them stays byte for byte;
* any other occurrence of those values (8 characters or more) in the body, as-is, JSON-escaped or URL-encoded
  (a token inside a form's ``payload`` JSON is replaced this way, so one shorter than 8 characters stays).

Same length means Content-Length and the chunk framing stay right. A gzip body is decompressed to look for the
secrets; when one is found the redacted body is **recompressed** (gzip, mtime 0) and Content-Length is fixed, so
the head keeps its ``Content-Encoding: gzip`` and the capture still loads with the same layers. A gzip body
without secrets is stored exactly as received. What was redacted is listed by name, with the last 4 characters
of secrets long enough to spare them, so tokens can be told apart. Nothing here imports Qt.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from inspector.formats.base import is_redacted, redaction_placeholder

#: The format segment of Backtrace's hosted ``/{universe}/{token}/{format}`` form.
BACKTRACE_FORMATS = ("json", "minidump", "plcrash", "btt", "sourcemap", "symbols")
#: Headers whose whole value is a secret (lower case) and how the metadata names them.
SECRET_HEADERS = {"x-rollbar-access-token": "X-Rollbar-Access-Token header", "app-secret": "App-Secret header"}
#: Query keys whose value is a secret.
SECRET_QUERY_KEYS = ("token", "access_token")
#: Values at least this long are also replaced wherever else they occur in the body.
MIN_ANYWHERE = 8
#: A gzip body is inflated up to this size to look for secrets (the receiver's own body cap is far lower).
MAX_INFLATED = 256 * 1024 * 1024
ROLLBAR_PATHS = ("/api/1/item/", "/api/1/item")


@dataclass(slots=True)
class Redacted:
    """The request as it may be stored, plus what was taken out (``entries``: name and last 4 characters)."""

    target: str
    headers: list[tuple[bytes, bytes]]
    body: bytes | None
    entries: list[dict[str, str]] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    recompressed: bool = False

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


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip().lower()
    return ""


def _replace_span(data: bytes, start: int, end: int) -> bytes:
    return data[:start] + redaction_placeholder(end - start).encode("ascii") + data[end:]


_JSON_TOKEN = re.compile(rb'"access_token"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _body_secret_json(data: bytes, found: _Collector) -> bytes:
    """Rewrite the bytes of each top-level-looking ``"access_token": "..."`` string value."""
    out = data
    for match in reversed(list(_JSON_TOKEN.finditer(data))):
        raw = match.group(1)
        try:
            value = json.loads(b'"' + raw + b'"')
        except ValueError:
            value = raw.decode("latin-1")
        found.add("access_token (body)", value)
        out = _replace_span(out, match.start(1), match.end(1))
    return out


def _body_secret_form(data: bytes, found: _Collector) -> None:
    """A form body (``payload=<url-encoded JSON>``): note the token inside; :func:`_anywhere` replaces it."""
    for piece in data.split(b"&"):
        key, eq, value = piece.partition(b"=")
        if eq and unquote_plus(key.decode("latin-1")) == "payload":
            payload = unquote_plus(value.decode("latin-1"), encoding="latin-1").encode("latin-1")
            for match in _JSON_TOKEN.finditer(payload):
                try:
                    token = json.loads(b'"' + match.group(1) + b'"')
                except ValueError:
                    continue
                if isinstance(token, str):
                    found.add("access_token (body)", token)


def _anywhere(data: bytes, secrets: list[str]) -> bytes:
    for secret in secrets:
        if len(secret) < MIN_ANYWHERE:
            continue
        forms = (secret, json.dumps(secret)[1:-1], quote(secret, safe=""), quote_plus(secret))
        for form in dict.fromkeys(forms):
            raw = form.encode("utf-8", "surrogatepass")
            if raw and raw in data:
                data = data.replace(raw, redaction_placeholder(len(raw)).encode("ascii"))
    return data


def _inflate(data: bytes) -> bytes | None:
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = inflater.decompress(data, MAX_INFLATED)
        if inflater.unconsumed_tail:
            return None  # larger than the cap: left as received
        return out
    except zlib.error:
        return None


def redact_request(target: str, headers: list[tuple[bytes, bytes]], body: bytes | None) -> Redacted:
    """Find and replace the request's secrets. ``target`` is the raw request target, ``headers`` the raw pairs."""
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
            value = (text[:lead] + redaction_placeholder(core) + text[lead + core:]).encode("latin-1")
        new_headers.append((key, value))
    out = Redacted(new_target, new_headers, body)
    if body:
        encoding = _header(headers, b"content-encoding")
        gzipped = encoding in ("gzip", "x-gzip")
        plain = _inflate(body) if gzipped else (None if encoding else body)
        if plain is not None:
            redacted = plain
            if target.split("?", 1)[0] in ROLLBAR_PATHS:
                redacted = _body_secret_json(redacted, found)
                if "x-www-form-urlencoded" in _header(headers, b"content-type"):
                    _body_secret_form(redacted, found)
            redacted = _anywhere(redacted, found.secrets)
            if redacted != plain:
                if gzipped:
                    out.body = gzip.compress(redacted, mtime=0)
                    out.recompressed = True
                    out.headers = _fix_length(out.headers, len(out.body))
                else:
                    out.body = redacted
    out.entries, out.secrets = found.entries, found.secrets
    return out


def _fix_length(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    return [(k, str(length).encode() if k.lower() == b"content-length" else v) for k, v in headers]


__all__ = ["BACKTRACE_FORMATS", "Redacted", "redact_request"]
