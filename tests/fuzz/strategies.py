"""Hypothesis strategies for hostile payloads: valid corpus documents, mutated, re-encoded and wrapped.

Every strategy yields ``(bytes, source_name)``. The mutations cover the brief: missing and extra keys, wrong
types, huge strings and numbers, deep nesting, unicode edge cases (lone surrogates escaped in JSON, NUL, RTL,
emoji), bad base64, bad gzip, bad multipart and truncated HTTP requests.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
#: The normal run's budget per test; ``CRASH_INSPECTOR_FUZZ_EXAMPLES=100000`` for the nightly run.
EXAMPLES = int(os.environ.get("CRASH_INSPECTOR_FUZZ_EXAMPLES", "60"))
NIGHTLY = EXAMPLES > 1000
#: Nightly survey: keep going after a crash, collect every distinct crash site, report them all at the end.
SURVEY = os.environ.get("CRASH_INSPECTOR_FUZZ_SURVEY", "") not in ("", "0")

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder left in the work tree
    derandomize=not NIGHTLY,  # the normal run is the same every time (a red CI run is reproducible)
    suppress_health_check=list(__import__("hypothesis").HealthCheck),
    print_blob=True,
)

EDGE_TEXT = [
    "",
    "\x00",
    "a\x00b",
    "\u202eRTL override\u202c",
    "\u05e9\u05dc\u05d5\u05dd",
    "\U0001f4a5\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\ufeff",
    "\ud800",  # lone surrogates: json.dumps escapes them as \ud800 (valid JSON text, no valid UTF-8 form)
    "\udfff tail",
    "x" * 70_000,
    "0x",
    "0xffffffffffffffffffff",
    "-0x1",
    "NaN",
    "../../etc/passwd",
    "C:\\Windows\\System32\\evil.dll",
    "%s%n%x",
    "\r\n\r\n--boundary--",
]
EDGE_NUMBERS: list[Any] = [
    0,
    -1,
    2**63 - 1,
    2**63,
    2**64,
    -(2**63) - 1,
    10**30,
    -(10**40),
    1e308,
    -1e-308,
    0.5,
    1.7976931348623157e308,
    float("nan"),
    float("inf"),
    True,
    False,
    None,
]

text = st.one_of(st.sampled_from(EDGE_TEXT), st.text(max_size=40))
finite = st.floats(allow_nan=False, allow_infinity=False)
scalars = st.one_of(text, st.sampled_from(EDGE_NUMBERS), st.integers(), finite)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(text, inner, max_size=4)),
    max_leaves=12,
)


@cache
def corpus_documents(folder: str) -> list[tuple[str, Any]]:
    """Every JSON document of a corpus folder that parses (invalid ones are used as raw bytes elsewhere)."""
    out = []
    for path in sorted((CORPUS / folder).glob("*.json")):
        try:
            out.append((path.name, json.loads(path.read_bytes())))
        except ValueError:
            continue
    return out


@cache
def corpus_raw(folder: str) -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted((CORPUS / folder).iterdir()) if p.is_file() and p.suffix != ".md"]


def _containers(value: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    found: list[tuple[tuple, Any]] = []
    stack = [(path, value)]
    while stack and len(found) < 400:
        p, v = stack.pop()
        if isinstance(v, dict | list):
            found.append((p, v))
            items = v.items() if isinstance(v, dict) else enumerate(v)
            stack.extend(((*p, k), c) for k, c in items)
    return found


@st.composite
def mutated(draw: st.DrawFn, value: Any) -> Any:
    """Apply 0..4 mutations to a deep copy of ``value``."""
    value = json.loads(json.dumps(value))
    for _ in range(draw(st.integers(0, 4))):
        spots = _containers(value)
        if not spots:
            break
        _, node = draw(st.sampled_from(spots))
        op = draw(st.sampled_from(["drop", "retype", "extra", "huge", "deep", "empty"]))
        if isinstance(node, dict):
            keys = list(node)
            if op == "drop" and keys:
                del node[draw(st.sampled_from(keys))]
            elif op in ("retype", "huge", "empty") and keys:
                key = draw(st.sampled_from(keys))
                if op == "retype":
                    node[key] = draw(json_values)
                elif op == "huge":
                    node[key] = draw(st.sampled_from(["x" * 300_000, 10**25, -(10**25), 10**4000]))
                else:
                    node[key] = draw(st.sampled_from([{}, [], "", None]))
            elif op == "deep":
                deep: Any = draw(scalars)
                for _ in range(draw(st.integers(50, 1200))):
                    deep = [deep]
                node[draw(text)] = deep
            else:
                node[draw(text)] = draw(json_values)
        elif isinstance(node, list):
            if op == "drop" and node:
                node.pop(draw(st.integers(0, len(node) - 1)))
            elif op in ("retype", "huge", "empty") and node:
                node[draw(st.integers(0, len(node) - 1))] = draw(json_values)
            else:
                node.append(draw(json_values))
    return value


@st.composite
def broken_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """Damage bytes: truncate, flip a byte, insert garbage, or leave them alone."""
    op = draw(st.sampled_from(["same", "same", "truncate", "flip", "insert", "bom"]))
    if not data or op == "same":
        return data
    pos = draw(st.integers(0, len(data) - 1))
    if op == "truncate":
        return data[:pos]
    if op == "flip":
        return data[:pos] + bytes([data[pos] ^ draw(st.integers(1, 255))]) + data[pos + 1 :]
    if op == "insert":
        return data[:pos] + draw(st.sampled_from([b"\xff", b"\x00", b",", b"}", b"NaN", b"\xc3", b'"'])) + data[pos:]
    return b"\xef\xbb\xbf" + data


@st.composite
def wrapped(draw: st.DrawFn, body: bytes, name: str, api_path: str) -> tuple[bytes, str]:
    """The body as a file, gzipped (maybe damaged), as multipart (maybe damaged) or as an HTTP request (maybe cut)."""
    how = draw(st.sampled_from(["plain", "plain", "gzip", "bad-gzip", "multipart", "bad-multipart", "http", "form"]))
    if how == "plain":
        return body, name
    if how == "gzip":
        return gzip.compress(body, 1), name + ".gz"
    if how == "bad-gzip":
        packed = gzip.compress(body, 1)
        return draw(st.sampled_from([packed[: len(packed) // 2], b"\x1f\x8b" + packed[2:][::-1], packed[:10]])), name
    boundary = draw(st.sampled_from(["BoUnDaRy", "*****", "x" * 80, "a b"]))
    if how in ("multipart", "bad-multipart"):
        part = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload_file"; filename="a.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode() + body
        tail = f"\r\n--{boundary}--\r\n".encode()
        if how == "bad-multipart":
            tail = draw(st.sampled_from([b"", b"\r\n--" + boundary.encode(), b"\r\n--nope--\r\n"]))
            if draw(st.booleans()):
                part = part.replace(b"\r\n\r\n", b"\r\n", 1)  # no blank line: no header block end
        return part + tail, name + ".multipart"
    if how == "form":
        from urllib.parse import quote_from_bytes

        return b"payload=" + quote_from_bytes(body).encode(), name + ".form"
    chunked = draw(st.booleans())
    head = f"POST {api_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    if chunked:
        raw = head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
    else:
        raw = head.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body
    if draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw) - 1))] if raw else raw  # truncated request
    return raw, name + ".request.http"


API_PATHS = {
    "backtrace": "/post?format=json&token=t",
    "rollbar": "/api/1/item/",
    "appcenter": "/logs?Api-Version=1.0.0",
}


@st.composite
def json_payloads(draw: st.DrawFn, folder: str) -> tuple[bytes, str]:
    """A corpus document of ``folder``, mutated, serialized (maybe damaged) and wrapped."""
    docs = corpus_documents(folder)
    name, value = draw(st.sampled_from(docs))
    value = draw(mutated(value))
    if folder == "appcenter" and draw(st.booleans()):
        value = _bad_base64(draw, value)
    body = json.dumps(value).encode("ascii")  # ensure_ascii: lone surrogates become \udXXX escapes
    body = draw(broken_bytes(body))
    return draw(wrapped(body, name, API_PATHS[folder]))


def _bad_base64(draw: st.DrawFn, value: Any) -> Any:
    """Replace App Center errorAttachment data / minidump-like base64 strings with broken base64."""
    bad = draw(st.sampled_from(["@@@", "QUJD=", "====", "QQ", base64.b64encode(b"\x00" * 10).decode() + "!", "\u00e9"]))
    logs = value.get("logs") if isinstance(value, dict) else None
    for log in logs if isinstance(logs, list) else []:
        if isinstance(log, dict) and "data" in log:
            log["data"] = bad
    return value


@st.composite
def native_payloads(draw: st.DrawFn, folder: str) -> tuple[bytes, str]:
    """A minidump or Apple crash file of the corpus, damaged."""
    name, data = draw(st.sampled_from(corpus_raw(folder)))
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 8))):
            data = draw(broken_bytes(data))
    return data, name
