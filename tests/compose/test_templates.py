"""Every template instantiates, validates without errors, and gets fresh ids and timestamps each time."""

from __future__ import annotations

import importlib.util
import json

import pytest

from inspector.compose import templates
from inspector.compose.ids import refresh_ids
from inspector.formats import has_errors, load_bytes, validate
from inspector.formats.jsondoc import get

TEMPLATE_IDS = [t.id for t in templates.templates()]
NOW = 1_800_000_000.0


def _native_ready(template: templates.Template) -> bool:
    return all(importlib.util.find_spec(f"inspector.formats.{m}") for m in ("minidump", "apple"))


def test_the_menu_covers_every_api_and_variant() -> None:
    ids = set(TEMPLATE_IDS)
    assert {"backtrace-error", "backtrace-error-threads", "backtrace-error-attachments", "backtrace-minidump"} <= ids
    for body in ("trace", "trace-chain", "message", "crash-report"):
        assert {f"rollbar-{body}", f"rollbar-{body}-telemetry"} <= ids
    assert {
        "appcenter-managed-error",
        "appcenter-apple-error",
        "appcenter-handled-error",
        "appcenter-batch-attachment",
    } <= ids


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_template_validates_without_errors(template_id: str) -> None:
    template = templates.get_template(template_id)
    if template.main_part and not _native_ready(template):
        pytest.skip("the minidump/apple format modules are not in the tree yet")
    submission = templates.instantiate(template_id, now=NOW)
    problems = validate(submission)
    assert not has_errors(problems), [p.as_dict() for p in problems if p.severity == "error"]
    assert submission.format == template.format


@pytest.mark.parametrize("template_id", [t for t in TEMPLATE_IDS if not templates.get_template(t).main_part])
def test_each_instantiation_gets_fresh_ids(template_id: str) -> None:
    first = templates.instantiate(template_id, now=NOW).document.value
    second = templates.instantiate(template_id, now=NOW + 60).document.value
    pointers = {"backtrace": ["/uuid"], "rollbar": ["/data/uuid"], "appcenter": ["/logs/0/id"]}
    fmt = templates.get_template(template_id).format
    for pointer in pointers[fmt]:
        assert get(first, pointer) != get(second, pointer)
        assert get(first, pointer) != "00000000-0000-4000-8000-000000000001"
    stamp = {"backtrace": "/timestamp", "rollbar": "/data/timestamp", "appcenter": "/logs/0/timestamp"}[fmt]
    assert get(first, stamp) != get(second, stamp)


def test_appcenter_attachment_follows_its_error_to_the_new_id() -> None:
    value = templates.instantiate("appcenter-batch-attachment", now=NOW).document.value
    error, attachment = value["logs"]
    assert attachment["errorId"] == error["id"]
    assert error["timestamp"] == "2027-01-15T08:00:00.000Z"
    assert error["appLaunchTimestamp"] == "2027-01-15T07:58:00.000Z"  # the 2-minute offset is kept


def test_rollbar_telemetry_moves_with_the_timestamp() -> None:
    value = templates.instantiate("rollbar-trace-telemetry", now=NOW).document.value
    events = value["data"]["body"]["telemetry"]
    assert value["data"]["timestamp"] == int(NOW)
    assert events[0]["timestamp_ms"] == int(NOW) * 1000 - 10_000  # 10 s before the error, as in the template


def test_backtrace_template_with_attachments_has_text_plain_log() -> None:
    submission = templates.instantiate("backtrace-error-attachments")
    parts = {p.name: p for p in submission.attachments}
    assert parts["attachment_log.txt"].content_type == "text/plain"
    assert json.loads(parts["attachment_state.json"].data)["user"] == "qa"


def test_duplicate_gives_n_distinct_copies() -> None:
    submission = templates.instantiate("rollbar-trace")
    text = submission.document.to_bytes().decode()
    copies = templates.duplicate(submission, text, 5)
    uuids = {json.loads(c)["data"]["uuid"] for c in copies}
    assert len(uuids) == 5 and json.loads(text)["data"]["uuid"] not in uuids
    for data in copies:
        assert not has_errors(validate(load_bytes(data, format="rollbar")))


def test_duplicate_keeps_attachments() -> None:
    submission = templates.instantiate("backtrace-error-attachments")
    copies = templates.duplicate(submission, submission.document.to_bytes().decode(), 2)
    for data in copies:
        again = load_bytes(data)
        assert [p.name for p in again.attachments] == ["attachment_log.txt", "attachment_state.json"]


def test_duplicate_refuses_zero() -> None:
    from inspector.formats.base import InspectorError

    submission = templates.instantiate("rollbar-message")
    with pytest.raises(InspectorError):
        templates.duplicate(submission, submission.document.to_bytes().decode(), 0)


def test_refresh_ids_leaves_unknown_formats_alone() -> None:
    value = {"a": 1}
    assert refresh_ids("minidump", value) == value
