"""Redaction rules (each kind), the preview, attachments, headers/URLs, user rules, and validity kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.formats import InspectorError, has_errors, load_bytes, load_path, reports, validate
from inspector.formats.base import Part
from inspector.formats.jsondoc import dumps
from inspector.toolkit.redact import (
    PLACEHOLDER,
    default_rules,
    load_rules,
    luhn_ok,
    plan,
    plan_json,
    redact_string,
    redact_submission,
    redact_text,
)
from tests.conftest import CORPUS, corpus_files

RULES = default_rules()


def _rollbar(data: dict) -> bytes:
    base = {"environment": "production", "body": {"message": {"body": "hello"}}}
    base.update(data)
    return dumps({"data": base})


def test_field_names_come_from_pyrollbar_scrub_fields() -> None:
    import rollbar

    for name in rollbar.SETTINGS["scrub_fields"]:
        assert RULES.is_secret_field(name), name
    for name in ("cookie", "Set-Cookie", "x-api-key", "API_KEY", "secret_token", "token"):
        assert RULES.is_secret_field(name)


def test_field_rule_keeps_the_type_and_shape() -> None:
    value = {"password": "hunter2", "pin": 1, "token": 12345, "cookie": {"a": "b", "n": [1, "x"]}, "auth": True}
    changes = {c.pointer: c for c in plan_json(value, RULES)}
    assert changes["/password"].after == PLACEHOLDER
    assert changes["/token"].after == 0
    assert changes["/cookie"].after == {"a": PLACEHOLDER, "n": [0, PLACEHOLDER]}
    assert "/pin" not in changes and "/auth" not in changes  # not secret / a boolean is no secret


@pytest.mark.parametrize(
    ("text", "rule", "expected"),
    [
        ("mail alice@example.com now", "email", "mail user@example.invalid now"),
        ("from 203.0.113.7:80", "ipv4", "from 192.0.2.0:80"),
        ("peer fe80::1ff:fe23:4567:890a", "ipv6", "peer 2001:db8::"),
        ("Authorization was Bearer abc.def-123==", "bearer-token", "Authorization was Bearer REDACTED"),
        ("card 4111 1111 1111 1111 ok", "card-number", "card 0000-0000-0000-0000 ok"),
        ("/home/alice/app/main.py", "home-unix", "/home/user/app/main.py"),
        ("/Users/bob/Library/x", "home-unix", "/Users/user/Library/x"),
        ("C:\\Users\\carol\\AppData\\app.exe", "home-windows", "C:\\Users\\user\\AppData\\app.exe"),
    ],
)
def test_each_pattern_rule(text: str, rule: str, expected: str) -> None:
    new, hits = redact_string(text, RULES)
    assert (new, hits) == (expected, [rule])


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1112",  # fails the Luhn check
        "12:34:56",  # a time, not an IPv6 address
        "1.2.3",  # a version
        "127.0.0.1",  # loopback is no personal data
        "0c2e5b5e-7a3f-4c8e-9f65-3f1d2c4b5a69",  # uuids keep their shape
        "2026-11-22T18:45:17.000Z",
        "node_modules/@backtrace/sdk-core/lib/index.js",
    ],
)
def test_patterns_leave_lookalikes_alone(text: str) -> None:
    assert redact_string(text, RULES) == (text, [])


def test_luhn() -> None:
    assert luhn_ok("4111111111111111") and luhn_ok("378282246310005")
    assert not luhn_ok("4111111111111112") and not luhn_ok("0000000000000000")


def test_version_keys_are_not_pattern_redacted() -> None:
    assert plan_json({"version": "10.1.2.3", "ip": "10.1.2.3"}, RULES)[0].pointer == "/ip"


def test_url_query_tokens_in_json_and_in_the_request_target() -> None:
    value = {"request": {"url": "https://h.example/cb?token=abc123&page=2"}}
    (change,) = plan_json(value, RULES)
    assert change.after == "https://h.example/cb?token=REDACTED&page=2"
    sub = load_path(str(CORPUS / "backtrace/backtrace-node-0.8.3_exception_plain-json.request.http"))
    changes = plan(sub, RULES)
    target = next(c for c in changes if c.where == "url")
    assert "token=REDACTED" in target.after and "0123456789abcdef" not in target.after
    redacted, _ = redact_submission(sub, RULES)
    assert "0123456789abcdef" not in redacted.envelope.http.target
    assert redacted.envelope.http.target.startswith("/post?")


def test_headers_are_redacted() -> None:
    sub = load_path(str(CORPUS / "rollbar/pyrollbar-1.5.0_trace.request.http"))
    changes = plan(sub, RULES)
    header = next(c for c in changes if c.where == "header")
    assert header.before.endswith("aaaabbbbccccddddeeeeffff00001111") and header.after.endswith(PLACEHOLDER)
    redacted, _ = redact_submission(sub, RULES)
    assert redacted.envelope.http.header("X-Rollbar-Access-Token") == PLACEHOLDER
    assert sub.envelope.http.header("X-Rollbar-Access-Token") == "aaaabbbbccccddddeeeeffff00001111"  # untouched


def test_text_attachments_of_backtrace_parts(tmp_path: Path) -> None:
    sub = load_path(
        str(CORPUS / "backtrace/backtrace-node-0.8.3_message_multipart_breadcrumbs_string-attachment.request.http")
    )
    sub.attachments.append(
        Part(
            "attachment_session.log",
            b"login alice@example.com password=hunter2 ok\n",
            filename="session.log",
            content_type="text/plain",
        )
    )
    changes = plan(sub, RULES)
    att = next(c for c in changes if c.pointer.startswith("/@attachments/"))
    assert att.after == f"login user@example.invalid password={PLACEHOLDER} ok\n"
    redacted, _ = redact_submission(sub, RULES)
    assert b"hunter2" not in redacted.attachments[-1].data
    assert b"hunter2" in sub.attachments[-1].data


def test_app_center_base64_text_attachment() -> None:
    value = json.loads((CORPUS / "appcenter/docs_managedError_plus_errorAttachment_text-plain.json").read_bytes())
    value["logs"][1]["data"] = base64.b64encode(b"user bob@example.org at 203.0.113.9").decode()
    sub = load_bytes(dumps(value), source_name="x.json")
    (change,) = [c for c in plan(sub, RULES) if c.pointer == "/logs/1/data"]
    assert base64.b64decode(change.after) == b"user user@example.invalid at 192.0.2.0"
    redacted, _ = redact_submission(sub, RULES)
    assert reports(redacted)[0].attachments[0].data() == b"user user@example.invalid at 192.0.2.0"


def test_redact_text_key_value_pairs() -> None:
    new, hits = redact_text('api_key: "abc" token=xyz; passwd=p4ss other=1', RULES)
    assert new == f"api_key: {PLACEHOLDER} token={PLACEHOLDER}; passwd={PLACEHOLDER} other=1"
    assert hits == ["field names"]


def test_user_rules_file_adds_and_disables(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            {
                "fields": ["order_id"],
                "disable": ["ipv4"],
                "patterns": [{"name": "ticket", "regex": "TICKET-\\d+", "replace": "TICKET-0"}],
            }
        )
    )
    rules = load_rules(path)
    changes = plan_json({"order_id": 42, "note": "see TICKET-1234 from 203.0.113.7"}, rules)
    assert [(c.pointer, c.after, c.rule) for c in changes] == [
        ("/order_id", 0, "field name 'order_id'"),
        ("/note", "see TICKET-0 from 203.0.113.7", "ticket"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ('{"patterns": [{"regex": "("}]}', "not a valid regular expression"),
        ('{"fields": "x"}', "must be a list"),
        ("[]", "JSON object"),
    ],
)
def test_bad_rules_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(content)
    with pytest.raises(InspectorError, match=message):
        load_rules(path)


def test_preview_is_pure_and_lists_pointer_before_after_rule() -> None:
    sub = load_bytes(_rollbar({"person": {"id": "7", "email": "eve@example.net"}, "access_token": "a" * 32}))
    before = dumps(sub.document.value)
    changes = plan(sub, RULES)
    assert [(c.pointer, c.before, c.after) for c in changes] == [
        ("/data/person/email", "eve@example.net", "user@example.invalid"),
        ("/data/access_token", "a" * 32, PLACEHOLDER),
    ]
    assert dumps(sub.document.value) == before


def _loadable(*folders: str) -> list[Path]:
    out = []
    for path in corpus_files(*folders):
        try:
            load_path(str(path))
        except InspectorError:  # the deliberately broken corpus files
            continue
        out.append(path)
    return out


@pytest.mark.parametrize("path", _loadable("backtrace", "rollbar", "appcenter", "apple"), ids=lambda p: p.name[:60])
def test_redaction_keeps_payloads_valid(path: Path) -> None:
    sub = load_path(str(path))
    redacted, changes = redact_submission(sub, RULES)
    assert has_errors(validate(redacted)) == has_errors(validate(sub))
    assert plan(redacted, RULES) == []  # idempotent: nothing left to redact
    if redacted.document is not None:
        again = load_bytes(dumps(redacted.document.value), format=sub.format)
        assert has_errors(validate(again)) == has_errors(validate(sub))
    for change in changes:
        if isinstance(change.before, str) and change.where == "json":
            assert isinstance(change.after, str)


def test_uuids_and_ids_keep_valid_shapes() -> None:
    value = {
        "data": {
            "environment": "p",
            "uuid": "0c2e5b5e-7a3f-4c8e-9f65-3f1d2c4b5a69",
            "body": {"message": {"body": "x", "secret": "0c2e5b5e-7a3f-4c8e-9f65-3f1d2c4b5a69"}},
        }
    }
    (change,) = plan_json(value, RULES)
    assert change.pointer == "/data/body/message/secret"
    assert change.after == "00000000-0000-0000-0000-000000000000"


_PIECES = [
    "alice@example.com",
    "203.0.113.7",
    "fe80::1",
    "Bearer abc.def",
    "4111 1111 1111 1111",
    "/home/alice/x",
    "C:\\Users\\bob\\y",
    "password=hunter2",
    " ",
    "-",
    ":",
    "/",
    "a",
    "1",
    "é",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=8)), max_size=8))
def test_redaction_is_idempotent_and_removes_known_secrets(parts: list[str]) -> None:
    text = " ".join(parts)
    once, _hits = redact_text(text, RULES)
    assert redact_text(once, RULES) == (once, [])
    for secret in ("alice@example.com", "hunter2", "4111 1111 1111 1111", "203.0.113.7"):
        if secret in parts:
            assert secret not in once


def test_json_text_is_redacted_as_json_and_stays_json() -> None:
    """A JSON text (JSON lines, an .ips header + body) keeps its numbers: a Luhn-valid id is data, not a card."""
    header = '{"bug_type":"210","os_version":"iPhone OS 26.1"}'
    body = '{\n  "waitEvent": [2, 3368731809211517469],\n  "note": "mail bob@example.org",\n  "token": "abc"\n}'
    text = header + "\n" + body + "\n"
    assert luhn_ok("3368731809211517469")
    new, hits = redact_text(text, RULES)
    first, second = new.split("\n", 1)
    assert first == header  # an unchanged value keeps its bytes
    redacted = json.loads(second)
    assert redacted["waitEvent"] == [2, 3368731809211517469]
    assert redacted["token"] == "[REDACTED]" and "bob@example.org" not in new
    assert "email" in hits
    plain, plain_hits = redact_text("card 4111 1111 1111 1111 in a log line", RULES)
    assert plain_hits == ["card-number"] and "4111" not in plain
