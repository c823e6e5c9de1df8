"""Backtrace submission URLs: read the three forms from a captured request target, and build them for sending.

Forms (reference/formats.md 1.1): hosted ``/{universe}/{token}/{format}`` (submit.backtrace.io), on-premise /
instance ``/api/post?format=&token=`` and listener / SDK ``/post?format=&token=``. Query keys come in any order
(backtracepython sends ``token`` first); any other query key is an attribute ("Attaching Attributes").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlencode

#: The ``format`` values the docs list ("Supported Format Types").
SUBMIT_FORMATS = ("json", "minidump", "plcrash", "btt", "sourcemap", "symbols")
#: Query keys that are part of the endpoint, not report attributes.
ENDPOINT_KEYS = ("format", "token", "object", "attachment_name", "universe")

HOSTED_BASE = "https://submit.backtrace.io"


@dataclass(slots=True)
class SubmitUrl:
    """What a request target says. ``form`` is ``hosted``, ``api/post``, ``post`` or None (not a submit URL)."""

    form: str | None = None
    universe: str | None = None
    token: str | None = None
    format: str | None = None
    attributes: list[tuple[str, str]] = field(default_factory=list)
    object_id: str | None = None  # an attachment upload to an existing report (&object=&attachment_name=)


def parse_submit_target(target: str) -> SubmitUrl:
    path, _, query = target.partition("?")
    pairs = parse_qsl(query, keep_blank_values=True)
    values = dict(pairs)
    url = SubmitUrl(attributes=[(k, v) for k, v in pairs if k not in ENDPOINT_KEYS], object_id=values.get("object"))
    segments = [unquote(s) for s in path.strip("/").split("/") if s]
    if segments and segments[-1] == "post":
        url.form = "api/post" if segments[-2:-1] == ["api"] else "post"
        url.token = values.get("token")
        url.format = values.get("format")
    elif len(segments) >= 3 and segments[-1] in SUBMIT_FORMATS:
        url.form = "hosted"
        url.universe, url.token, url.format = segments[-3], segments[-2], segments[-1]
    return url


def build_url(
    kind: str,
    base_url: str,
    *,
    token: str,
    universe: str | None,
    attributes: list[tuple[str, str]],
    format: str = "json",
) -> str:
    """The submission URL for a target kind and ``format`` (``json``; ``symbols``/``sourcemap`` for uploads);
    ``attributes`` go to the query string."""
    base = (base_url or "").rstrip("/")
    extra = ("&" + urlencode(attributes)) if attributes else ""
    if kind == "backtrace-hosted":
        base = base or HOSTED_BASE
        url = f"{base}/{quote(universe or '', safe='')}/{quote(token, safe='')}/{quote(format, safe='')}"
        return url + ("?" + extra[1:] if extra else "")
    path = "/api/post" if kind == "backtrace-onprem" else "/post"
    return f"{base}{path}?{urlencode([('format', format), ('token', token)])}{extra}"
