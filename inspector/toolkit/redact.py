"""Redaction: find secrets and personal data in a submission, preview every change, then apply them.

Rules come from ``resources/redaction/default.json`` plus an optional user file of the same shape
(``{"fields": [...], "patterns": [{"name", "regex", "replace", "check"?}], "disable": [rule names]}``).

* Field rules: a JSON key (or header name, or URL query key) in the list gets its value replaced by a
  placeholder of the same type (strings ``[REDACTED]``, numbers 0; objects/arrays keep their shape).
* Pattern rules: regular expressions over every string value, text attachment, header value and URL.
  Replacements keep the shape of what they replace (an e-mail stays an e-mail, an IP stays an IP), and strings
  that are whole UUIDs or timestamps, and values of ``*version*`` keys, are never pattern-redacted: the
  payload stays valid.

:func:`plan` is pure and lists :class:`Change`\\ s (pointer, before, after, rule); :func:`redact_submission`
returns a new Submission with them applied (the send path's "redact before send").
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from inspector.formats import capabilities
from inspector.formats.base import Envelope, HttpInfo, InspectorError, Part, Submission
from inspector.formats.jsondoc import Document, Edit, dumps, join
from inspector.formats.lazy_json import plain
from inspector.resources import resource_path

PLACEHOLDER = "[REDACTED]"
URL_PLACEHOLDER = "REDACTED"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s]+$")
#: Text attachments above this size are not scanned (reported as a change-less note in the preview).
MAX_TEXT_SCAN = 16 * 1024 * 1024


def _norm(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def luhn_ok(text: str) -> bool:
    digits = [int(c) for c in text if c.isdigit()]
    if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_prefix(text: str) -> int | None:
    """Length of the longest prefix of ``text`` that ends a digit group and passes the Luhn check."""
    ends = [m.end() for m in re.finditer(r"\d+", text)][:-1]
    for end in reversed(ends):
        if luhn_ok(text[:end]):
            return end
    return None


def _ipv4_ok(text: str) -> bool:
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return address not in ipaddress.IPv4Network("192.0.2.0/24") and not (address.is_unspecified or address.is_loopback)


def _ipv6_ok(text: str) -> bool:
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return address not in ipaddress.IPv6Network("2001:db8::/32") and not (address.is_unspecified or address.is_loopback)


CHECKS: dict[str, Callable[[str], bool]] = {"luhn": luhn_ok, "ipv4": _ipv4_ok, "ipv6": _ipv6_ok}


@dataclass(frozen=True, slots=True)
class PatternRule:
    name: str
    regex: re.Pattern[str]
    replace: str
    check: str | None = None
    description: str = ""

    def apply(self, text: str) -> str:
        check = CHECKS.get(self.check or "")

        def sub(match: re.Match[str]) -> str:
            if check is None or check(match.group(0)):
                return match.expand(self.replace)
            if self.check == "luhn":  # the match may run on into a following number: try shorter prefixes
                end = _card_prefix(match.group(0))
                if end is not None and "\\" not in self.replace:  # a literal replacement (no group references)
                    return self.replace + match.group(0)[end:]
            return match.group(0)

        return self.regex.sub(sub, text)


@dataclass
class Rules:
    fields: set[str] = field(default_factory=set)  # normalized field names
    patterns: list[PatternRule] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def is_secret_field(self, name: str) -> bool:
        return _norm(name) in self.fields

    @property
    def names(self) -> list[str]:
        return ["field names", *(p.name for p in self.patterns)]

    def merged(self, data: dict[str, Any], source: str) -> Rules:
        """These rules plus a rules document (``fields``, ``patterns``, ``disable``)."""
        if not isinstance(data, dict):
            raise InspectorError(f"{source}: a rules file is a JSON object with 'fields' and/or 'patterns'")
        fields = set(self.fields)
        patterns = list(self.patterns)
        names = data.get("fields", [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InspectorError(f"{source}: 'fields' must be a list of strings")
        fields.update(_norm(n) for n in names)
        raw_patterns = data.get("patterns", [])
        if not isinstance(raw_patterns, list):
            raise InspectorError(f"{source}: 'patterns' must be a list")
        for i, item in enumerate(raw_patterns):
            if not isinstance(item, dict) or not isinstance(item.get("regex"), str):
                raise InspectorError(f"{source}: pattern {i + 1} needs a 'regex' string")
            try:
                regex = re.compile(item["regex"])
            except re.error as exc:
                raise InspectorError(
                    f"{source}: pattern {i + 1} ({item.get('name', '?')}) is not a valid regular expression: {exc}"
                ) from None
            check = item.get("check")
            if check is not None and check not in CHECKS:
                raise InspectorError(f"{source}: pattern {i + 1}: unknown check {check!r} ({', '.join(CHECKS)})")
            name = str(item.get("name") or f"pattern {i + 1}")
            patterns = [p for p in patterns if p.name != name]
            patterns.append(
                PatternRule(name, regex, str(item.get("replace", PLACEHOLDER)), check, str(item.get("description", "")))
            )
        disable = data.get("disable", [])
        if isinstance(disable, list):
            patterns = [p for p in patterns if p.name not in disable]
            fields -= {_norm(n) for n in disable if isinstance(n, str)}
        return Rules(fields, patterns, [*self.sources, source])


def default_rules() -> Rules:
    path = resource_path("redaction", "default.json")
    return Rules().merged(json.loads(path.read_text(encoding="utf-8")), str(path))


def load_rules(path: str | Path | None = None, base: Rules | None = None) -> Rules:
    """The default rules, plus the user's rules file when given. Bad files raise InspectorError."""
    rules = base if base is not None else default_rules()
    if path is None:
        return rules
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InspectorError(f"cannot read the rules file {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InspectorError(f"the rules file {path} is not valid JSON: {exc}") from None
    return rules.merged(data, str(path))


@dataclass(frozen=True, slots=True)
class Change:
    """One redaction. ``where``: ``json`` (pointer into the document), ``attachment`` (``/@parts/N`` or
    ``/@attachments/N``), ``header`` (``/@http/headers/N``) or ``url`` (``/@http/target``)."""

    pointer: str
    before: Any
    after: Any
    rule: str
    where: str = "json"

    def as_dict(self) -> dict[str, Any]:
        def short(value: Any) -> Any:
            return value if not isinstance(value, str) or len(value) <= 2000 else value[:2000] + "…"

        return {
            "pointer": self.pointer,
            "where": self.where,
            "rule": self.rule,
            "before": short(self.before),
            "after": short(self.after),
        }


# ------------------------------------------------------------------------------------------------ strings


def _placeholder(value: Any) -> Any:
    """A value of the same JSON type (objects and arrays keep their shape, leaves become placeholders)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return 0
    if isinstance(value, float):
        return 0.0
    if isinstance(value, str):
        if not value or value == PLACEHOLDER:
            return value
        return "00000000-0000-0000-0000-000000000000" if _UUID.match(value) else PLACEHOLDER
    if isinstance(value, list):
        return [_placeholder(v) for v in value]
    if isinstance(value, dict):
        return {k: _placeholder(v) for k, v in value.items()}
    return value


def redact_url(url: str, rules: Rules) -> tuple[str, list[str]]:
    """Query values whose key is a secret field become ``REDACTED``; then the pattern rules."""
    hit: list[str] = []
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, hit
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if any(rules.is_secret_field(k) and v not in ("", URL_PLACEHOLDER) for k, v in pairs):
            new = "&".join(
                f"{quote(k, safe='')}={URL_PLACEHOLDER if rules.is_secret_field(k) and v else quote(v, safe='')}"
                for k, v in pairs
            )
            url = urlunsplit(parts._replace(query=new))
            hit.append("url query")
    return url, hit


def redact_string(text: str, rules: Rules, *, key: str | None = None) -> tuple[str, list[str]]:
    """Apply URL and pattern rules to one string value. Returns the new text and the names of rules that hit."""
    if _UUID.match(text) or _TIMESTAMP.match(text) or (key is not None and "version" in key.lower()):
        return text, []
    hits: list[str] = []
    if _URL.match(text):
        text, hits = redact_url(text, rules)
    for rule in rules.patterns:
        new = rule.apply(text)
        if new != text:
            hits.append(rule.name)
            text = new
    return text, hits


def _key_value_rule(rules: Rules) -> re.Pattern[str] | None:
    """``password=...`` / ``token: ...`` in free text (logs) for every secret field name."""
    if not rules.fields:
        return None
    names = "|".join(sorted((re.escape(n).replace("_", "[-_]") for n in rules.fields), key=len, reverse=True))
    return re.compile(rf"(?i)(?<![\w-])((?:{names})\s*[=:]\s*)(\"[^\"]*\"|[^\s&;,\"]+)")


def redact_text(text: str, rules: Rules) -> tuple[str, list[str]]:
    """A text attachment or crash report: ``secret=value`` pairs, then the pattern rules, line by line.

    Text that is JSON (one value, JSON lines, or an Apple ``.ips``: a header line and a JSON body) is redacted
    as JSON instead (field names and string values; numbers are data, never a card number), so it stays JSON.
    """
    as_json = _redact_json_text(text, rules)
    if as_json is not None:
        return as_json
    hits: list[str] = []
    kv = _key_value_rule(rules)
    if kv is not None:
        new = kv.sub(lambda m: m.group(1) + PLACEHOLDER, text)
        if new != text:
            hits.append("field names")
            text = new
    for rule in rules.patterns:
        new = rule.apply(text)
        if new != text:
            hits.append(rule.name)
            text = new
    return text, hits


def _json_values(text: str) -> list[tuple[int, int, Any]] | None:
    """(start, end, value) of each JSON value of ``text`` (separated by white space only); None if it is not."""
    if not text.lstrip().startswith(("{", "[")):
        return None
    decoder = json.JSONDecoder()
    values: list[tuple[int, int, Any]] = []
    pos, size = 0, len(text)
    while True:
        while pos < size and text[pos] in " \t\r\n":
            pos += 1
        if pos == size:
            return values
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
        values.append((pos, end, value))
        pos = end


def _redact_json_text(text: str, rules: Rules) -> tuple[str, list[str]] | None:
    """JSON text redacted value by value; unchanged values keep their bytes. None when the text is not JSON."""
    values = _json_values(text)
    if not values:
        return None
    out: list[str] = []
    hits: list[str] = []
    last = 0
    for start, end, value in values:
        changes = plan_json(value, rules)
        out.append(text[last:start])
        if changes:
            document = Document.from_value(value)
            for edit in json_edits(changes):
                document.apply(edit)
            pretty = "\n" in text[start:end]
            out.append(dumps(document.value, pretty=pretty).decode("utf-8").rstrip("\n"))
            hits.extend(h for c in changes for h in c.rule.split(", ") if h not in hits)
        else:
            out.append(text[start:end])
        last = end
    out.append(text[last:])
    return "".join(out), hits


# ------------------------------------------------------------------------------------------------ JSON


def plan_json(value: Any, rules: Rules, base: str = "") -> list[Change]:
    """Changes to a JSON value, depth first, in document order."""
    changes: list[Change] = []
    stack: list[tuple[str, str | None, Any]] = [(base, None, value)]
    while stack:
        pointer, key, val = stack.pop()
        if key is not None and rules.is_secret_field(key) and not isinstance(val, bool) and val is not None:
            after = _placeholder(val)
            if after != val:
                changes.append(Change(pointer, val, after, f"field name {key!r}"))
            continue
        if isinstance(val, dict):
            stack.extend((join(pointer, k), k, v) for k, v in reversed(list(val.items())))
        elif isinstance(val, list):
            stack.extend((join(pointer, i), key, v) for i, v in reversed(list(enumerate(val))))
        elif isinstance(val, str):
            new, hits = redact_string(val, rules, key=key)
            if hits:
                changes.append(Change(pointer, val, new, ", ".join(hits)))
    return changes


def _text_of(data: bytes) -> str | None:
    if b"\x00" in data[:8192] or len(data) > MAX_TEXT_SCAN:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _appcenter_attachments(value: Any, rules: Rules) -> list[Change]:
    """App Center errorAttachment ``data`` is base64: decode text attachments, redact, re-encode."""
    logs = value.get("logs") if isinstance(value, dict) else None
    if not isinstance(logs, list):
        return []
    changes = []
    for i, log in enumerate(logs):
        if not isinstance(log, dict) or log.get("type") != "errorAttachment" or not isinstance(log.get("data"), str):
            continue
        try:
            raw = base64.b64decode(log["data"], validate=True)
        except (binascii.Error, ValueError):
            continue
        text = _text_of(raw)
        if text is None:
            continue
        new, hits = redact_text(text, rules)
        if hits:
            encoded = base64.b64encode(new.encode("utf-8")).decode("ascii")
            changes.append(
                Change(
                    f"/logs/{i}/data",
                    log["data"],
                    encoded,
                    f"{', '.join(hits)} (in base64 attachment {log.get('fileName') or i})",
                )
            )
    return changes


# ------------------------------------------------------------------------------------------------ submission


def plan(submission: Submission, rules: Rules | None = None) -> list[Change]:
    """Every change redaction would make to ``submission``. Pure: nothing is modified."""
    rules = rules if rules is not None else default_rules()
    changes: list[Change] = []
    doc = submission.document
    if doc is not None:
        json_changes = plan_json(doc.value, rules)
        touched = {c.pointer for c in json_changes}
        changes.extend(json_changes)
        changes.extend(c for c in _appcenter_attachments(doc.value, rules) if c.pointer not in touched)
    env = submission.envelope
    for index, part in enumerate(env.parts):
        if index == env.main_part:
            continue
        text = _text_of(part.data)
        if text is None:
            continue
        new, hits = redact_text(text, rules)
        if hits:
            changes.append(Change(f"/@parts/{index}", text, new, ", ".join(hits), "attachment"))
    for index, part in enumerate(submission.attachments):
        if any(part is p for p in env.parts):
            continue
        text = _text_of(part.data)
        if text is not None:
            new, hits = redact_text(text, rules)
            if hits:
                changes.append(Change(f"/@attachments/{index}", text, new, ", ".join(hits), "attachment"))
    if env.http is not None:
        for index, (name, value) in enumerate(env.http.headers):
            if rules.is_secret_field(name) and value != PLACEHOLDER:
                changes.append(
                    Change(
                        f"/@http/headers/{index}",
                        f"{name}: {value}",
                        f"{name}: {PLACEHOLDER}",
                        f"field name {name!r}",
                        "header",
                    )
                )
            else:
                new, hits = redact_string(value, rules, key=name)
                if hits:
                    changes.append(
                        Change(
                            f"/@http/headers/{index}", f"{name}: {value}", f"{name}: {new}", ", ".join(hits), "header"
                        )
                    )
        target, hits = redact_url(env.http.target, rules)
        if hits:
            changes.append(Change("/@http/target", env.http.target, target, "url query", "url"))
    if doc is None and capabilities(submission.format).redactable_text:
        text = _text_of(env.body)
        if text is not None:
            new, hits = redact_text(text, rules)
            if hits:
                changes.append(Change("/@body", text, new, ", ".join(hits), "body"))
    return changes


def json_edits(changes: list[Change]) -> list[Edit]:
    """The document edits of a plan (what the window applies through OpenDocument.apply_edits)."""
    return [Edit("set", c.pointer, c.after) for c in changes if c.where == "json"]


def redacted_parts(submission: Submission, changes: list[Change]) -> tuple[list[Part], list[Part]]:
    """(envelope parts, submission attachments) with the attachment changes applied (new Part objects)."""
    env_parts = list(submission.envelope.parts)
    attachments = list(submission.attachments)
    for change in changes:
        if change.where != "attachment":
            continue
        kind, _, index = change.pointer[2:].partition("/")
        target = env_parts if kind == "parts" else attachments
        old = target[int(index)]
        new = dataclasses.replace(old, data=change.after.encode("utf-8"), headers=list(old.headers))
        target[int(index)] = new
        if kind == "parts":  # an envelope part that is also listed as an attachment
            attachments = [new if a is old else a for a in attachments]
    return env_parts, attachments


def apply_plan(submission: Submission, changes: list[Change]) -> Submission:
    """A new Submission with ``changes`` applied; ``submission`` itself is left untouched."""
    document = None
    if submission.document is not None:
        document = Document.from_value(copy.deepcopy(submission.document.value))
        for edit in json_edits(changes):
            document.apply(edit)
        if not any(c.where == "json" for c in changes):
            document = Document.from_value(document.value)
    env_parts, attachments = redacted_parts(submission, changes)
    env = submission.envelope
    http = None
    if env.http is not None:
        headers = list(env.http.headers)
        target = env.http.target
        for change in changes:
            if change.where == "header":
                index = int(change.pointer.rsplit("/", 1)[1])
                name, _, value = change.after.partition(": ")
                headers[index] = (name, value)
            elif change.where == "url":
                target = change.after
        http = HttpInfo(env.http.method, target, headers)
    body = env.body
    if document is not None:
        body = dumps(document.value)
        if env.main_part is not None:
            main = env_parts[env.main_part]
            env_parts[env.main_part] = dataclasses.replace(main, data=body)
    body_change = next((c for c in changes if c.where == "body"), None)
    if body_change is not None:
        from inspector.formats import load_bytes

        return load_bytes(body_change.after.encode("utf-8"), source_name=env.source_name, format=submission.format)
    fields = [(k, URL_PLACEHOLDER if k == "token" else v) for k, v in env.fields] if http is not None else env.fields
    new_env = Envelope(
        body=body,
        http=http,
        parts=env_parts,
        main_part=env.main_part,
        fields=list(fields),
        layers=list(env.layers),
        problems=list(env.problems),
        source_name=env.source_name,
    )
    return dataclasses.replace(
        submission,
        envelope=new_env,
        document=document,
        attachments=attachments,
        load_problems=list(submission.load_problems),
    )


def redact_submission(submission: Submission, rules: Rules | None = None) -> tuple[Submission, list[Change]]:
    """Redact before send: the redacted copy and the list of changes (empty list: nothing to redact)."""
    changes = plan(submission, rules)
    return (apply_plan(submission, changes) if changes else submission), changes


def preview_text(changes: list[Change], width: int = 100) -> str:
    """The CLI's ``--preview``: one block per change."""
    if not changes:
        return "Nothing to redact."
    lines = [f"{len(changes)} change(s):"]
    for c in changes:
        before = c.before if isinstance(c.before, str) else json.dumps(plain(c.before), ensure_ascii=False)
        after = c.after if isinstance(c.after, str) else json.dumps(plain(c.after), ensure_ascii=False)
        if c.where in ("attachment", "body"):
            before, after = _first_difference(before, after)
        lines.append(f"  {c.pointer or '/'}  [{c.rule}]")
        lines.append(f"    - {_clip(before, width)}")
        lines.append(f"    + {_clip(after, width)}")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"


def _first_difference(before: str, after: str) -> tuple[str, str]:
    """The first differing line of two texts (attachments are shown by their first change)."""
    for old, new in zip(before.splitlines(), after.splitlines(), strict=False):
        if old != new:
            return old, new
    return before[:200], after[:200]
